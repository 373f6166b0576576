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
 * closing must cancel its own, or a closed scheduler goes on punctuating beside the new one.
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

        assertEquals(2, context.scheduledPunctuators().size());
        assertTrue(context.scheduledPunctuators().get(0).cancelled(), "the closed task's punctuation");
        assertFalse(context.scheduledPunctuators().get(1).cancelled(), "the revived task's");
        processor.close();
        pool.close();
    }
}
