package io.streamforecaster.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamforecaster.it.TestServices;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment files against the running service on a real broker: the probe paths of the
 * StatefulSet answer, every metric the dashboard uses is served, and a real Prometheus (Debian's
 * {@code prometheus}, when installed) scrapes the service with the shipped scrape configuration
 * while every PromQL expression of the dashboard returns data.
 */
class DeploymentIT {

    static final String INPUT = "deploy-input";
    static LocalKafka kafka;
    static ServiceProcess service;
    static KafkaProducer<String, String> producer;
    static SeriesGenerator generator = new SeriesGenerator(3, 7);
    static int sent;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 2, "deploy-predictions", 2, "deploy-dlq", 1));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Map<String, String> props = TestServices.properties(kafka.bootstrapServers(), "deploy-it",
                Files.createTempDirectory("deploy-it-state"), INPUT, "deploy-predictions", "deploy-dlq");
        props.put("forecaster.training.min-observations", "40");
        props.put("forecaster.training.min-new-observations", "30");
        props.put("forecaster.training.interval", "2s");
        service = TestServices.startReady(props, "deploy");
        send(120);
        producer.send(new ProducerRecord<>(INPUT, "deploy-bad", "not a number"));
        producer.flush();
        for (int k = 0; k < 3; k++) {
            String key = generator.key(k);
            await().alias("model of " + key).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> service.get("/series/" + key + "/model").status() == 200);
        }
        send(60); // a retrain for each key (champion and challenger), and forecasts with intervals
    }

    static void send(int steps) {
        for (int i = 0; i < steps; i++, sent++) {
            for (int k = 0; k < 3; k++) {
                producer.send(new ProducerRecord<>(INPUT, generator.key(k), Double.toString(generator.next(k))));
            }
        }
        producer.flush();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theProbePathsOfTheStatefulSetAnswer() {
        JsonNode c = DeploymentFiles.container();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            String path = c.path(probe).path("httpGet").path("path").asText();
            assertEquals(200, service.get(path).status(), probe + " " + path);
        }
    }

    @Test
    void everyMetricTheDashboardUsesIsServed() {
        await().alias("every dashboard metric in the scrape").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Set<String> served = DeploymentFiles.scrapedNames(service.get("/q/metrics").body());
            List<String> missing = new ArrayList<>();
            for (String name : DeploymentFiles.dashboardMetrics()) {
                if (!served.contains(name)) {
                    missing.add(name);
                }
            }
            assertTrue(missing.isEmpty(), "dashboard metrics the running service does not serve: " + missing);
        });
        List<String> nonFinite = DeploymentFiles.nonFiniteSamples(service.get("/q/metrics").body(), "forecaster_");
        assertTrue(nonFinite.isEmpty(), "the service's own metrics must be finite: " + nonFinite);
    }

    @Test
    void aRealPrometheusScrapesTheServiceAndEveryDashboardQueryReturnsData() throws Exception {
        Path prometheus = DeploymentFilesTest.onPath("prometheus");
        Assumptions.assumeTrue(prometheus != null,
                "prometheus is not on the PATH (Debian: apt-get install prometheus; .ci/run installs it): skipping the real-Prometheus check");
        Path dir = Files.createTempDirectory("deploy-it-prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, DeploymentFiles.prometheusConfigFor("localhost:" + service.managementPort()));
        Files.copy(DeploymentFiles.ALERTS, dir.resolve("alerts.yml")); // beside the configuration, as compose mounts it
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(Path.of("target", "it-logs", "prometheus.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        try {
            await().alias("Prometheus scrapes the service").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertTrue(p.isAlive(), "prometheus exited; see target/it-logs/prometheus.log");
                JsonNode targets = get(http, base + "/api/v1/targets");
                JsonNode active = targets.path("data").path("activeTargets");
                assertEquals(1, active.size());
                assertEquals("up", active.get(0).path("health").asText(), active.toString());
            });
            String key = generator.key(0);
            List<String> expressions = DeploymentFiles.dashboardExpressions(key);
            await().alias("every dashboard query returns data").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                send(5); // keeps rates moving
                List<String> empty = new ArrayList<>();
                for (String e : expressions) {
                    JsonNode r = get(http, base + "/api/v1/query?query=" + URLEncoder.encode(e, StandardCharsets.UTF_8));
                    assertEquals("success", r.path("status").asText(), e + ": " + r);
                    if (r.path("data").path("result").isEmpty()) {
                        empty.add(e);
                    }
                }
                assertTrue(empty.isEmpty(), "dashboard queries without data: " + empty);
            });
            // every alert is loaded and evaluates without an error against the running service's metrics
            int alerts = DeploymentFiles.alertExpressions().size();
            await().alias("every alert evaluated").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode rules = get(http, base + "/api/v1/rules?type=alert");
                List<String> evaluated = new ArrayList<>();
                rules.path("data").path("groups").forEach(g -> g.path("rules").forEach(r -> {
                    assertEquals("ok", r.path("health").asText(), r.toString());
                    if (!r.path("lastEvaluation").asText().startsWith("0001")) {
                        evaluated.add(r.path("name").asText());
                    }
                }));
                assertEquals(alerts, evaluated.size(), "alerts loaded and evaluated: " + evaluated);
            });
            // every sample Prometheus holds of the service's own metrics is a number
            JsonNode raw = get(http, base + "/api/v1/query?query=" + URLEncoder.encode("{__name__=~\"forecaster_.*\"}", StandardCharsets.UTF_8));
            List<String> nonFinite = new ArrayList<>();
            raw.path("data").path("result").forEach(r -> {
                String v = r.path("value").path(1).asText();
                if (v.equals("NaN") || v.endsWith("Inf")) {
                    nonFinite.add(r.path("metric").toString() + " = " + v);
                }
            });
            assertTrue(raw.path("data").path("result").size() > 20, "forecaster samples in Prometheus: " + raw);
            assertTrue(nonFinite.isEmpty(), "NaN or infinite samples of the service's metrics: " + nonFinite);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return DeploymentFiles.JSON.readTree(r.body());
    }
}
