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

    @Test
    void shouldCancelItsTrainingPunctuationWhenTheTaskCloses() {
        StreamSettings s = ForecastTopologyTest.settings(ColdStart.NAIVE, 1);
        TrainingPool pool = new TrainingPool(s.training(), Runnable::run, 2, Trainer::train, System::currentTimeMillis);
        ForecastProcessor processor = new ForecastProcessor(s, new ForecasterMetrics(new SimpleMeterRegistry(), pool::pending), pool);
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

        processor.init(context);
        processor.close();
        processor.init(context); // revived

        // each opening schedules the punctuation and the refill between punctuations
        var scheduled = context.scheduledPunctuators();
        assertEquals(4, scheduled.size());
        assertTrue(scheduled.get(0).cancelled() && scheduled.get(1).cancelled(), "the closed task's punctuations");
        assertFalse(scheduled.get(2).cancelled() || scheduled.get(3).cancelled(), "the revived task's");
        assertEquals(s.checkInterval(), scheduled.get(2).getInterval());
        assertEquals(ForecastProcessor.REFILL_INTERVAL, scheduled.get(3).getInterval());
        processor.close();
        pool.close();
    }
}
