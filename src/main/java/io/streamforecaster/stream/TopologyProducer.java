package io.streamforecaster.stream;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.TrainingPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The topology: input topic, one processor with the series and model stores, and two sinks
 * (forecasts, dead letters). Records are read as bytes so that no input can fail deserialization:
 * the processor decides what is bad, and the dead-letter topic gets the original bytes.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    public Topology topology(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, MemoryBudget budget) {
        return build(settings, metrics, pool, budget);
    }

    public static Topology build(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, MemoryBudget budget) {
        var codec = new io.streamforecaster.serving.OnlineForecaster(settings).codec();
        var seriesStore = SeriesStore.builder(Stores.SERIES, codec, budget);
        var modelStore = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.MODELS),
                        Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled();
        return new Topology()
                .addSource(Stores.SOURCE_NODE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.inputTopic())
                .addProcessor(Stores.PROCESSOR_NODE, () -> new ForecastProcessor(settings, metrics, pool), Stores.SOURCE_NODE)
                .addStateStore(seriesStore, Stores.PROCESSOR_NODE)
                .addStateStore(modelStore, Stores.PROCESSOR_NODE)
                .addSink(Stores.OUTPUT_NODE, settings.outputTopic(), new ByteArraySerializer(), new ByteArraySerializer(), Stores.PROCESSOR_NODE)
                .addSink(Stores.DEAD_LETTER_NODE, settings.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), Stores.PROCESSOR_NODE);
    }
}
