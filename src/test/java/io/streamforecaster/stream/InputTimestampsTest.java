package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.processor.FailOnInvalidTimestamp;
import org.junit.jupiter.api.Test;

/**
 * A record with a negative timestamp (some clients write -1 for "none", and the broker lets a
 * CreateTime record carry it): Kafka Streams' default extractor throws on it before the processor,
 * killing the stream thread and each replacement on the same record. The service's extractor stamps
 * it and lets it through. (TopologyTestDriver refuses negative timestamps, so this is tested here.)
 */
class InputTimestampsTest {

    static ConsumerRecord<Object, Object> at(long timestamp) {
        return new ConsumerRecord<>("in", 0, 42, timestamp, TimestampType.CREATE_TIME, 1, 1, "k", "1", new RecordHeaders(), Optional.empty());
    }

    @Test
    void shouldKeepAValidTimestamp() {
        assertEquals(1_700_000_000_000L, new InputTimestamps().extract(at(1_700_000_000_000L), 5L));
        assertEquals(0L, new InputTimestamps().extract(at(0L), 5L));
    }

    @Test
    void shouldStampARecordWithoutOneInsteadOfFailing() {
        assertThrows(RuntimeException.class, () -> new FailOnInvalidTimestamp().extract(at(-1L), 5L), "what Kafka Streams does by default");
        assertEquals(1_700_000_000_000L, new InputTimestamps().extract(at(-1L), 1_700_000_000_000L), "the partition's latest timestamp");
        long before = System.currentTimeMillis();
        long stamped = new InputTimestamps().extract(at(-1L), -1L);
        assertTrue(stamped >= before && stamped <= System.currentTimeMillis(), "the current time before the partition has one: " + stamped);
    }

    /** The service's topology reads its input with this extractor (TopologyTestDriver cannot send a negative timestamp to show it). */
    @Test
    void shouldBeTheInputTopicsExtractor() throws Exception {
        var settings = ForecastTopologyTest.settings(io.streamforecaster.config.ColdStart.NAIVE, 1);
        var pool = new io.streamforecaster.model.TrainingPool(settings.training(), Runnable::run, 1,
                io.streamforecaster.model.Trainer::train, System::currentTimeMillis);
        var topology = TopologyProducer.build(settings, new io.streamforecaster.metrics.ForecasterMetrics(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), pool::pending), pool, MemoryBudget.unlimited());
        var field = org.apache.kafka.streams.Topology.class.getDeclaredField("internalTopologyBuilder");
        field.setAccessible(true);
        var builder = (org.apache.kafka.streams.processor.internals.InternalTopologyBuilder) field.get(topology);
        builder.rewriteTopology(new org.apache.kafka.streams.StreamsConfig(java.util.Map.of("application.id", "t", "bootstrap.servers", "unused:9092")));
        var extractor = builder.buildTopology().source(settings.inputTopic()).timestampExtractor();
        assertTrue(extractor instanceof InputTimestamps, String.valueOf(extractor));
    }
}
