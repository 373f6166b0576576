package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.stream.DeadLetter;
import io.streamforecaster.tools.CsvSeries;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service on a real Kafka broker (KRaft, in this JVM): real series in, a forecast out
 * for every accepted event, LSTM forecasts once models are trained, bad records in the dead-letter
 * topic, and after {@code kill -9} a restart on the same state directory that goes on with the same
 * history and model versions without retraining; an injected spike comes out as an anomaly.
 */
class ServiceIT {

    static final String INPUT = "it-input";
    static final String OUTPUT = "it-predictions";
    static final String DLQ = "it-dlq";
    static final String ANOMALIES = "it-anomalies";
    static final int N_STEPS = 12;
    static final int FIRST_BATCH = 200;
    static final ObjectMapper JSON = new ObjectMapper();

    static LocalKafka kafka;
    static KafkaProducer<byte[], byte[]> producer;
    static KafkaConsumer<byte[], byte[]> consumer;
    static Path stateDir;
    static String applicationId = "it-" + UUID.randomUUID();
    static Map<String, double[]> series = new LinkedHashMap<>();
    static final List<ConsumerRecord<byte[], byte[]>> forecasts = new ArrayList<>();
    static final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    static final List<ConsumerRecord<byte[], byte[]>> anomalies = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 2, OUTPUT, 2, DLQ, 1, ANOMALIES, 1));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(OUTPUT, DLQ, ANOMALIES));
        stateDir = Files.createTempDirectory("forecaster-it-state");

        Path datasets = Path.of(System.getProperty("forecaster.datasets", "../shared/datasets"));
        if (Files.isDirectory(datasets)) {
            series.put("ec2-cpu", CsvSeries.read(datasets.resolve("ec2_cpu_utilization_5f5533.csv"), null).values());
            series.put("melbourne-min-temp", CsvSeries.read(datasets.resolve("daily-min-temperatures.csv"), null).values());
        } else {
            System.err.println("ServiceIT: " + datasets + " is absent; using generated series instead of the shared real ones");
            SeriesGenerator g = new SeriesGenerator(2, 5);
            for (int k = 0; k < 2; k++) {
                double[] v = new double[400];
                for (int i = 0; i < v.length; i++) {
                    v[i] = g.next(k);
                }
                series.put(g.key(k), v);
            }
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (consumer != null) {
            consumer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    ServiceProcess startService(String logName) throws Exception {
        Map<String, String> props = TestServices.properties(kafka.bootstrapServers(), applicationId, stateDir, INPUT, OUTPUT, DLQ);
        props.put("forecaster.training.min-observations", "64");
        // one model per key in this test, so that a retrain after the restart would show
        props.put("forecaster.training.min-new-observations", "100000");
        props.put("forecaster.training.epochs", "40");
        props.put("forecaster.topics.anomalies", ANOMALIES);
        props.put("forecaster.anomaly.quiet", "0"); // so that an anomaly of the real series just before cannot hold the spike back
        return TestServices.startReady(props, logName);
    }

    static void send(String key, String value) {
        producer.send(new ProducerRecord<>(INPUT, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    static void sendRange(int from, int to) {
        for (int i = from; i < to; i++) {
            for (var e : series.entrySet()) {
                if (i < e.getValue().length) {
                    send(e.getKey(), Double.toString(e.getValue()[i]));
                }
            }
        }
        producer.flush();
    }

    static void poll() {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
            (r.topic().equals(OUTPUT) ? forecasts : r.topic().equals(ANOMALIES) ? anomalies : deadLetters).add(r);
        }
    }

    static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<JsonNode> forecastsOf(String key) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var r : forecasts) {
            if (new String(r.key(), StandardCharsets.UTF_8).equals(key)) {
                out.add(JSON.readTree(r.value()));
            }
        }
        return out;
    }

    static int expectedForecasts(int accepted) {
        return Math.max(0, accepted - (N_STEPS - 1));
    }

    /**
     * A key with a model serves it, or naive marked as a fallback when the model did worse than
     * naive on its recent points (real series can do that); either way from model version 1.
     */
    static void assertServedByModelOrFallback(JsonNode last, String key) {
        if (last.get("source").asText().equals("naive")) {
            assertTrue(last.has("fallback") && last.get("fallback").asBoolean(), key + ": naive only as a marked fallback: " + last);
        } else {
            assertEquals("lstm", last.get("source").asText(), key);
            assertEquals(1, last.get("modelVersion").asLong(), key);
        }
    }

    static double metric(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels == null ? "(\\{[^}]*\\})?" : Pattern.quote(labels))
                + " ([0-9.eE+-]+)$").matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(m.groupCount()));
            found = true;
        }
        assertTrue(found, "metric " + name + (labels == null ? "" : labels) + " in the scrape");
        return sum;
    }

    /** Waits until the service's consumer group has committed everything in the input topic. */
    static void awaitCommitted() {
        await().alias("input fully committed").atMost(Duration.ofSeconds(60)).until(() -> {
            try (Admin admin = kafka.admin()) {
                var committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
                for (int p = 0; p < 2; p++) {
                    TopicPartition tp = new TopicPartition(INPUT, p);
                    long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
                    if (end > 0 && (committed.get(tp) == null || committed.get(tp).offset() < end)) {
                        return false;
                    }
                }
                return true;
            }
        });
    }

    @Test
    void shouldForecastRealSeriesRouteBadRecordsAndSurviveAKillWithTheSameModels() throws Exception {
        ServiceProcess service = startService("first");
        Map<String, Integer> accepted = new HashMap<>();
        try {
            // 1. real series, with bad records among them
            sendRange(0, FIRST_BATCH / 2);
            Map<String, String> bad = new LinkedHashMap<>();
            send(null, "1.0");
            bad.put("null-key", "1.0");
            send("ec2-cpu", "not a number");
            bad.put("not-a-number", "not a number");
            send("ec2-cpu", "NaN");
            bad.put("non-finite", "NaN");
            send("ec2-cpu", "{\"values\": [1, 2]}");
            bad.put("wrong-dimension", "{\"values\": [1, 2]}");
            send("ec2-cpu", "");
            bad.put("empty-value", "");
            send("ec2-cpu", "9".repeat(5000));
            bad.put("too-large", "9".repeat(5000));
            sendRange(FIRST_BATCH / 2, FIRST_BATCH);
            for (var e : series.entrySet()) {
                accepted.put(e.getKey(), Math.min(FIRST_BATCH, e.getValue().length));
            }

            await().alias("a forecast for every accepted event and every bad record in the DLQ")
                    .atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                        poll();
                        assertEquals(bad.size(), deadLetters.size());
                        for (var e : accepted.entrySet()) {
                            assertEquals(expectedForecasts(e.getValue()), forecastsOf(e.getKey()).size(), e.getKey());
                        }
                    });
            for (var r : deadLetters) {
                String reason = new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
                assertTrue(bad.containsKey(reason), "unexpected reason " + reason);
                assertEquals(bad.get(reason), new String(r.value(), StandardCharsets.UTF_8), "original bytes of " + reason);
                assertEquals(INPUT, new String(r.headers().lastHeader(DeadLetter.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
            }
            for (String key : series.keySet()) {
                for (JsonNode f : forecastsOf(key)) {
                    assertEquals(key, f.get("key").asText());
                    assertTrue(Double.isFinite(f.get("forecast").asDouble()));
                    assertEquals(N_STEPS, f.get("nSteps").asInt());
                    assertEquals("vanilla", f.get("variant").asText());
                }
            }

            // 2. models get trained off the stream thread; then forecasts come from them
            for (String key : series.keySet()) {
                await().alias("model of " + key).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> service.get("/series/" + key + "/model").status() == 200);
            }
            int more = 40;
            sendRange(FIRST_BATCH, FIRST_BATCH + more);
            accepted.replaceAll((k, v) -> Math.min(v + more, series.get(k).length));
            await().alias("LSTM forecasts").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                poll();
                for (String key : series.keySet()) {
                    List<JsonNode> fs = forecastsOf(key);
                    assertEquals(expectedForecasts(accepted.get(key)), fs.size(), key);
                    assertServedByModelOrFallback(fs.get(fs.size() - 1), key);
                }
            });

            // 2b. a spike far above anything the key has shown comes out as an anomaly
            String key = series.keySet().iterator().next();
            double spike = 100 + 10 * java.util.Arrays.stream(series.get(key)).map(Math::abs).max().orElseThrow();
            send(key, Double.toString(spike));
            producer.flush();
            accepted.merge(key, 1, Integer::sum);
            await().alias("the spike's anomaly record").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                poll();
                assertTrue(anomalies.stream().anyMatch(r -> r.value() != null && json(r).get("actual").asDouble() == spike), "anomalies: " + anomalies.size());
                assertEquals(expectedForecasts(accepted.get(key)), forecastsOf(key).size(), key);
            });
            JsonNode anomaly = anomalies.stream().map(ServiceIT::json).filter(a -> a.get("actual").asDouble() == spike).findFirst().orElseThrow();
            assertEquals(key, anomaly.get("key").asText());
            assertTrue(anomaly.get("score").asDouble() >= 0.587 && anomaly.get("score").asDouble() <= 1, anomaly.toString());
            assertTrue(anomaly.has("expected") && anomaly.has("lower") && anomaly.has("upper"), anomaly.toString());
            List<JsonNode> afterSpike = forecastsOf(key);
            JsonNode followed = afterSpike.get(afterSpike.size() - 1);
            assertTrue(followed.get("anomaly").asBoolean(), "the forecast after the spike is marked: " + followed);
            assertEquals(anomaly.get("score").asDouble(), followed.get("anomalyScore").asDouble());
            JsonNode listed = JSON.readTree(service.get("/series/" + key + "/anomalies").body());
            JsonNode newest = listed.get("anomalies").get(listed.get("anomalies").size() - 1);
            assertEquals(spike, newest.get("actual").asDouble(), "GET /series/{key}/anomalies lists it: " + listed);

            // 3. REST and metrics
            assertEquals(404, service.get("/series/no-such-key/forecast").status());
            assertEquals(404, service.get("/series/no-such-key/model").status());
            JsonNode latest = JSON.readTree(service.get("/series/" + key + "/forecast").body());
            List<JsonNode> fs = forecastsOf(key);
            assertEquals(fs.get(fs.size() - 1).get("forecast").asDouble(), latest.get("forecast").asDouble(), 1e-9);
            JsonNode model = JSON.readTree(service.get("/series/" + key + "/model").body());
            assertEquals(1, model.get("version").asLong());
            assertEquals(accepted.get(key), model.get("observations").asInt());
            assertTrue(model.get("onlineMae").asDouble() >= 0);
            assertTrue(model.get("naiveMae").asDouble() >= 0);
            assertTrue(model.get("holdout").has("points"));
            assertEquals(0, model.get("rejections").asLong());
            assertTrue(latest.has("lower") && latest.has("upper"), "a prediction interval once the key has scored forecasts");
            assertTrue(latest.get("lower").asDouble() <= latest.get("forecast").asDouble());
            assertTrue(latest.get("upper").asDouble() >= latest.get("forecast").asDouble());
            assertEquals(200, service.get("/q/health/live").status());

            String scrape = service.get("/q/metrics").body();
            int totalAccepted = accepted.values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(totalAccepted + bad.size(), metric(scrape, "forecaster_events_total", null), 0.0);
            assertEquals(1.0, metric(scrape, "forecaster_rejected_total", "{reason=\"too-large\"}"));
            assertEquals(series.size(), metric(scrape, "forecaster_training_runs_total", "{outcome=\"success\"}"));
            assertEquals(series.size(), metric(scrape, "forecaster_models", null));
            assertTrue(metric(scrape, "forecaster_predictions_total", "{source=\"lstm\"}") >= series.size());
            metric(scrape, "forecaster_inference_seconds_count", null);
            metric(scrape, "forecaster_accuracy_naive_mae", null);
            metric(scrape, "forecaster_interval_coverage", null);
            metric(scrape, "forecaster_models_challenges_total", "{decision=\"rejected\"}");
            metric(scrape, "forecaster_fallbacks_total", "{change=\"entered\"}");
            assertTrue(scrape.contains("kafka_"), "Kafka Streams' own metrics are exported too");
            assertEquals(totalAccepted, metric(scrape, "forecaster_anomaly_score_count", null), 0.0);
            assertTrue(metric(scrape, "forecaster_anomalies_total", null) >= 1);

            // 4. kill -9 once everything is committed
            awaitCommitted();
        } catch (Throwable t) {
            System.err.println("service log: " + service.log());
            throw t;
        } finally {
            service.kill();
        }

        Map<String, JsonNode> before = new HashMap<>();
        ServiceProcess restarted = startService("restarted");
        try {
            for (String key : series.keySet()) {
                await().alias("model of " + key + " after restart").atMost(Duration.ofSeconds(60))
                        .until(() -> restarted.get("/series/" + key + "/model").status() == 200);
                JsonNode m = JSON.readTree(restarted.get("/series/" + key + "/model").body());
                before.put(key, m);
                assertEquals(1, m.get("version").asLong(), "same model version after the restart");
                assertEquals(accepted.get(key), m.get("observations").asInt(), "same history after the restart");
            }
            int forecastsBefore = forecasts.size();
            int more = 20;
            sendRange(FIRST_BATCH + 40, FIRST_BATCH + 40 + more);
            Map<String, Integer> expected = new HashMap<>();
            accepted.forEach((k, v) -> expected.put(k, Math.min(v + more, series.get(k).length)));
            await().alias("forecasts after the restart").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                poll();
                for (String key : series.keySet()) {
                    assertEquals(expectedForecasts(expected.get(key)), forecastsOf(key).size(), key);
                }
            });
            assertTrue(forecasts.size() > forecastsBefore);
            for (String key : series.keySet()) {
                List<JsonNode> fs = forecastsOf(key);
                assertServedByModelOrFallback(fs.get(fs.size() - 1), key);
                JsonNode m = JSON.readTree(restarted.get("/series/" + key + "/model").body());
                assertEquals(expected.get(key), m.get("observations").asInt(), "history went on from where it was");
                assertEquals(before.get(key).get("trainedAt").asText(), m.get("trainedAt").asText(), "the same model, not a retrained one");
            }
            await().alias("models counted after the restart").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertEquals(series.size(), metric(restarted.get("/q/metrics").body(), "forecaster_models", null)));
            String scrape = restarted.get("/q/metrics").body();
            assertEquals(0.0, metric(scrape, "forecaster_training_runs_total", null), "no retraining after the restart");

            // 5. a second instance joins: the keys are spread over both, and each answers for every key
            stateDir = Files.createTempDirectory("forecaster-it-state-second");
            try (ServiceProcess second = startService("second")) {
                List<ServiceProcess> both = List.of(restarted, second);
                await().alias("both instances answer for every key").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                            double models = 0;
                            for (ServiceProcess instance : both) {
                                models += metric(instance.get("/q/metrics").body(), "forecaster_models", null);
                                for (String key : series.keySet()) {
                                    var r = instance.get("/series/" + key + "/model");
                                    assertEquals(200, r.status(), key + " on port " + instance.httpPort() + ": " + r.body());
                                    JsonNode m = JSON.readTree(r.body());
                                    assertEquals(1, m.get("version").asLong());
                                    assertEquals(before.get(key).get("trainedAt").asText(), m.get("trainedAt").asText());
                                }
                            }
                            assertEquals(series.size(), models, "every model lives on exactly one instance");
                        });
                boolean someAnswerWasForwarded = false;
                for (ServiceProcess instance : both) {
                    someAnswerWasForwarded |= metric(instance.get("/q/metrics").body(), "forecaster_models", null) < series.size();
                }
                assertTrue(someAnswerWasForwarded, "one instance owns fewer keys than it answered for");
            }
        } catch (Throwable t) {
            System.err.println("service log: " + restarted.log());
            throw t;
        } finally {
            restarted.close();
        }
    }
}
