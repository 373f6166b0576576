package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams may close a task and open it again on the same processor (a dirty close and revive,
 * after an exactly-once commit timed out): each opening schedules the training punctuation, so each
 * closing must cancel its own (and the refill between punctuations), or a closed scheduler goes on
 * punctuating beside the new one.
 */
class ForecastProcessorLifecycleTest {

    private static MockProcessorContext<byte[], byte[]> contextWithStores() {
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        SeriesStore series = new SeriesStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.SERIES), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build(), SeriesStoreTest.CODEC, MemoryBudget.unlimited());
        var models = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.MODELS), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
        series.init(context.getStateStoreContext(), series);
        models.init(context.getStateStoreContext(), models);
        context.addStateStore(series);
        context.addStateStore(models);
        return context;
    }

    /** A processor opened on a pool of one slot whose jobs wait in {@code queued} until run. */
    private record OnePool(StreamSettings settings, java.util.Queue<Runnable> queued, TrainingPool pool, ForecastProcessor processor,
                           MockProcessorContext<byte[], byte[]> context) {

        static OnePool open() {
            StreamSettings s = ForecastTopologyTest.settings(ColdStart.NAIVE, 1);
            java.util.Queue<Runnable> queued = new java.util.ArrayDeque<>();
            TrainingPool pool = new TrainingPool(s.training(), queued::add, 1, Trainer::train, System::currentTimeMillis);
            ForecastProcessor processor = new ForecastProcessor(s, new ForecasterMetrics(new SimpleMeterRegistry(), pool::pending), pool);
            MockProcessorContext<byte[], byte[]> context = contextWithStores();
            processor.init(context);
            context.setCurrentSystemTimeMs(System.currentTimeMillis());
            return new OnePool(s, queued, pool, processor, context);
        }

        /** Enough values of each key for a first model. */
        void send(String... keys) {
            long t = context.currentSystemTimeMs();
            for (String key : keys) {
                for (int i = 0; i < 8; i++) {
                    processor.process(new org.apache.kafka.streams.processor.api.Record<>(ForecastTopologyTest.bytes(key),
                            ForecastTopologyTest.bytes(Double.toString(100 + 10 * Math.sin(i / 3.0))), t + i));
                }
            }
        }

        void close() {
            processor.close();
            pool.close();
        }
    }

    @Test
    void shouldCancelItsTrainingPunctuationWhenTheTaskCloses() {
        StreamSettings s = ForecastTopologyTest.settings(ColdStart.NAIVE, 1);
        TrainingPool pool = new TrainingPool(s.training(), Runnable::run, 2, Trainer::train, System::currentTimeMillis);
        ForecastProcessor processor = new ForecastProcessor(s, new ForecasterMetrics(new SimpleMeterRegistry(), pool::pending), pool);
        MockProcessorContext<byte[], byte[]> context = contextWithStores();

        processor.init(context);
        processor.close();
        processor.init(context); // revived

        // each opening schedules the punctuation (the refill between punctuations only while keys wait)
        var scheduled = context.scheduledPunctuators();
        assertEquals(2, scheduled.size());
        assertTrue(scheduled.get(0).cancelled(), "the closed task's punctuation");
        assertFalse(scheduled.get(1).cancelled(), "the revived task's");
        assertEquals(s.checkInterval(), scheduled.get(1).getInterval());
        processor.close();
        pool.close();
    }

    /**
     * Kafka Streams commits a task after each of its wall-clock punctuations, whether it did anything
     * or not (under exactly-once, a transaction each time): the refill every 100 ms is scheduled only
     * while keys wait for room in the pool, and cancelled once none does, so an idle task commits at
     * its check interval, not ten times a second.
     */
    @Test
    void shouldRefillBetweenPunctuationsOnlyWhileKeysWaitForThePool() {
        OnePool p = OnePool.open();
        var context = p.context();
        var queued = p.queued();
        var check = context.scheduledPunctuators().get(0).getPunctuator();

        check.punctuate(System.currentTimeMillis()); // nothing to train
        assertEquals(1, context.scheduledPunctuators().size(), "an idle task has no refill");

        p.send("a", "b", "c");
        check.punctuate(System.currentTimeMillis()); // one key to the pool, which is then full; two wait
        assertEquals(1, queued.size());
        assertEquals(2, context.scheduledPunctuators().size(), "keys wait: the refill is scheduled");
        var refill = context.scheduledPunctuators().get(1);
        assertEquals(ForecastProcessor.REFILL_INTERVAL, refill.getInterval());
        assertFalse(refill.cancelled());

        for (int round = 0; round < 2; round++) { // each refill hands the next waiting key to the freed slot
            queued.poll().run();
            refill.getPunctuator().punctuate(System.currentTimeMillis());
            assertEquals(1, queued.size(), "round " + round);
        }
        assertTrue(refill.cancelled(), "no key waits any more: the refill is cancelled");
        queued.poll().run();
        check.punctuate(System.currentTimeMillis());
        assertEquals(2, context.scheduledPunctuators().size(), "and not scheduled again while none waits");
        p.close();
    }

    /** A task closed while its keys wait (a dirty close and revive) cancels the refill too: the revived task starts with its punctuation alone. */
    @Test
    void shouldCancelAWaitingRefillWhenTheTaskCloses() {
        OnePool p = OnePool.open();
        var context = p.context();
        p.send("a", "b");
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis()); // one key to the full pool, one waits
        assertEquals(2, context.scheduledPunctuators().size(), "the refill is scheduled");
        p.processor().close();
        assertTrue(context.scheduledPunctuators().stream().allMatch(x -> x.cancelled()), "the punctuation and the refill");
        p.processor().init(context); // revived
        assertEquals(3, context.scheduledPunctuators().size());
        assertFalse(context.scheduledPunctuators().get(2).cancelled());
        assertEquals(p.settings().checkInterval(), context.scheduledPunctuators().get(2).getInterval(), "the revived task's punctuation alone");
        p.close();
    }
}
