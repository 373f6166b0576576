package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.anomaly.AnomalySettings;
import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Anomalies on the stream: each forecast carries the score of the observation it followed, a spike
 * is flagged and goes to the anomalies topic, the threshold decides, and all of it before a key's
 * first model (the trainer never runs here: the wall clock does not advance).
 */
class AnomalyTopologyTest {

    /** A short warm-up, so that a test needs a few dozen values. */
    static final AnomalySettings A = new AnomalySettings(0.587, 20, 4000, 20, 30, 80, 0.08, 10);
    static final int SPIKE = 100;
    static final long T0 = 1_700_000_000_000L;

    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> input;
    TestOutputTopic<byte[], byte[]> output;
    TestOutputTopic<byte[], byte[]> anomalies;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    void start(StreamSettings s, int drillDownKeys) {
        var pool = new TrainingPool(s.training(), Runnable::run, 2, Trainer::train, System::currentTimeMillis);
        var metrics = new ForecasterMetrics(registry, pool::pending, drillDownKeys);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "anomaly-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(TopologyProducer.build(s, metrics, pool, MemoryBudget.unlimited()), props, Instant.ofEpochMilli(T0));
        input = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        if (s.anomaliesTopic() != null) {
            anomalies = driver.createOutputTopic(s.anomaliesTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    static StreamSettings settings(ColdStart coldStart, AnomalySettings a, String topic) {
        return ForecastTopologyTest.settings(coldStart, 1).withAnomaly(a, topic);
    }

    static double value(int i) {
        return i == SPIKE ? 400 : 100 + 10 * Math.sin(i / 3.0);
    }

    /** A sine of 100 ± 10 with one spike to 400 at {@link #SPIKE}. */
    void sendSeries(String key, int count) {
        for (int i = 0; i < count; i++) {
            input.pipeInput(new TestRecord<>(key.getBytes(StandardCharsets.UTF_8), Double.toString(value(i)).getBytes(StandardCharsets.UTF_8),
                    Instant.ofEpochMilli(T0 + 1000L * i)));
        }
    }

    List<Forecast> forecasts() {
        List<Forecast> out = new ArrayList<>();
        for (var r : output.readRecordsToList()) {
            out.add(Forecast.fromJson(r.value()));
        }
        return out;
    }

    List<AnomalyRecord> anomalyRecords() {
        List<AnomalyRecord> out = new ArrayList<>();
        for (var r : anomalies.readRecordsToList()) {
            out.add(AnomalyRecord.fromJson(r.value()));
            assertEquals("s", new String(r.key(), StandardCharsets.UTF_8), "keyed by series id");
        }
        return out;
    }

    @Test
    void shouldScoreEveryForecastFlagTheSpikeAndSendItToTheAnomaliesTopicBeforeAnyModel() {
        start(settings(ColdStart.NAIVE, A, "anomalies"), 0);
        sendSeries("s", SPIKE + 5);

        List<Forecast> forecasts = forecasts();
        assertFalse(forecasts.isEmpty());
        for (Forecast f : forecasts) {
            assertEquals("naive", f.source(), "no model yet");
            assertNotNull(f.anomalyScore(), "every forecast carries the score of the value it followed");
            assertTrue(f.anomalyScore() >= 0 && f.anomalyScore() <= 1, "in [0, 1]: " + f.anomalyScore());
            assertEquals(f.anomalyScore() >= A.threshold() ? Boolean.TRUE : null, f.anomaly(), "flagged exactly above the threshold");
        }
        Forecast afterSpike = forecasts.stream().filter(f -> f.timestamp() == T0 + 1000L * SPIKE).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, afterSpike.anomaly());

        List<AnomalyRecord> records = anomalyRecords();
        AnomalyRecord spike = records.stream().filter(a -> a.timestamp() == T0 + 1000L * SPIKE).findFirst().orElseThrow();
        assertEquals("s", spike.key());
        assertEquals(400.0, spike.actual());
        assertEquals(value(SPIKE - 1), spike.expected(), 1e-9, "naive: the value before");
        assertNotNull(spike.lower(), "the forecast had an interval");
        assertTrue(spike.upper() < 400 && spike.lower() < spike.expected() && spike.upper() > spike.expected());
        assertEquals(afterSpike.anomalyScore(), spike.score());
        assertTrue(spike.score() >= A.threshold());
        // one record per flagged forecast, no more
        assertEquals(forecasts.stream().filter(f -> f.anomaly() != null).map(Forecast::timestamp).toList(),
                records.stream().map(AnomalyRecord::timestamp).toList());

        var summary = registry.find("forecaster.anomaly.score").summary();
        assertEquals(SPIKE + 5, summary.count(), "one score per observation");
        assertEquals(records.size(), registry.find("forecaster.anomalies").tag("group", "other").counter().count());
    }

    @Test
    void shouldCountADrillDownKeysAnomaliesUnderItsOwnGroup() {
        start(settings(ColdStart.NAIVE, A, "anomalies"), 5);
        sendSeries("s", SPIKE + 1);

        int records = anomalyRecords().size();
        assertTrue(records > 0);
        assertEquals(records, registry.find("forecaster.anomalies").tag("group", "s").counter().count());
        assertEquals(0, registry.find("forecaster.anomalies").tag("group", "other").counter().count());
    }

    @Test
    void shouldFlagNothingWhenTheThresholdIsOutOfReach() {
        // scores stay below 1, so a threshold of 1 flags nothing, though they are the same scores
        start(settings(ColdStart.NAIVE, new AnomalySettings(1.0, 20, 4000, 20, 30, 80, 0.08, 10), "anomalies"), 0);
        sendSeries("s", SPIKE + 5);

        List<Forecast> forecasts = forecasts();
        assertTrue(forecasts.stream().allMatch(f -> f.anomaly() == null));
        Forecast afterSpike = forecasts.stream().filter(f -> f.timestamp() == T0 + 1000L * SPIKE).findFirst().orElseThrow();
        assertTrue(afterSpike.anomalyScore() >= A.threshold(), "the spike still scores high: " + afterSpike.anomalyScore());
        assertTrue(anomalies.isEmpty());
        assertEquals(0, registry.find("forecaster.anomalies").tag("group", "other").counter().count());
    }

    @Test
    void shouldSendAnomaliesWithoutAForecastUnderColdStartSkip() {
        start(settings(ColdStart.SKIP, A, "anomalies"), 0);
        sendSeries("s", SPIKE + 1);

        assertTrue(output.isEmpty(), "no forecast before the first model");
        AnomalyRecord spike = anomalyRecords().stream().filter(a -> a.timestamp() == T0 + 1000L * SPIKE).findFirst().orElseThrow();
        assertNull(spike.expected(), "nothing was served for it");
        assertNull(spike.lower());
        assertEquals("range", spike.cause(), "the value left the key's range");
    }

    @Test
    void shouldStillMarkForecastsWithoutAnAnomaliesTopic() {
        StreamSettings s = settings(ColdStart.NAIVE, A, null);
        start(s, 0);
        sendSeries("s", SPIKE + 1);

        assertTrue(forecasts().stream().anyMatch(f -> f.anomaly() != null));
        assertFalse(TopologyProducer.build(s, new ForecasterMetrics(new SimpleMeterRegistry(), () -> 0), null, MemoryBudget.unlimited())
                .describe().toString().contains("anomalies"), "no anomalies sink");
    }

    @Test
    void shouldRefuseAnInvalidThresholdNamingTheSetting() {
        var e = assertThrows(IllegalArgumentException.class, () -> new AnomalySettings(1.5, 20, 4000, 20, 30, 80, 0.08, 10));
        assertTrue(e.getMessage().startsWith("Invalid forecaster.anomaly.threshold = 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> settings(ColdStart.NAIVE, A, " "));
        assertTrue(e.getMessage().startsWith("Invalid forecaster.topics.anomalies"), e.getMessage());
    }
}
