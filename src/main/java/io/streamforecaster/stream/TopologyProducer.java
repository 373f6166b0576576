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
 * (forecasts, dead letters), three with the optional anomalies topic. Records are read as bytes so that no input can fail deserialization:
 * the processor decides what is bad, and the dead-letter topic gets the original bytes.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    public Topology topology(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, MemoryBudget budget) {
        return build(settings, metrics, pool, budget, new ByteArraySerializer(),
                RecordSizes.maxRequestSize(org.eclipse.microprofile.config.ConfigProvider.getConfig()));
    }

    /** With Kafka's default {@code max.request.size}. */
    public static Topology build(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, MemoryBudget budget) {
        return build(settings, metrics, pool, budget, new ByteArraySerializer(), RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
    }

    /**
     * @param forecasts how the forecasts' values are written (a test makes that write fail)
     * @param maxRequestBytes the stream's producers' {@code max.request.size}: every dead letter is made to fit it
     */
    static Topology build(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, MemoryBudget budget,
                          org.apache.kafka.common.serialization.Serializer<byte[]> forecasts, long maxRequestBytes) {
        var codec = new io.streamforecaster.serving.OnlineForecaster(settings).codec();
        var seriesStore = SeriesStore.builder(Stores.SERIES, codec, budget);
        var modelStore = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.MODELS),
                        Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled();
        Topology topology = new Topology()
                // no reset of its own (null): kafka-streams.auto.offset.reset applies
                .addSource((org.apache.kafka.streams.AutoOffsetReset) null, Stores.SOURCE_NODE, new InputTimestamps(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer(), settings.inputTopic())
                .addProcessor(Stores.PROCESSOR_NODE, () -> new ForecastProcessor(settings, metrics, pool, maxRequestBytes), Stores.SOURCE_NODE)
                .addStateStore(seriesStore, Stores.PROCESSOR_NODE)
                .addStateStore(modelStore, Stores.PROCESSOR_NODE)
                .addSink(Stores.OUTPUT_NODE, settings.outputTopic(), new ByteArraySerializer(), forecasts, Stores.PROCESSOR_NODE)
                .addSink(Stores.DEAD_LETTER_NODE, settings.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), Stores.PROCESSOR_NODE);
        if (settings.anomaliesTopic() != null) { // optional: without it, anomalies are only marked in the forecasts
            topology.addSink(Stores.ANOMALIES_NODE, settings.anomaliesTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                    Stores.PROCESSOR_NODE);
        }
        return topology;
    }
}
