package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A stop (SIGTERM) must end within the time an orchestrator gives it (Kubernetes' and compose's
 * grace period here: 60 s), even when the brokers are gone and nothing can be committed: past it
 * the process is killed, and under exactly-once a killed instance restores every store from the
 * changelogs. Quarkus' own Kafka Streams shutdown waits without a limit.
 */
class ShutdownIT {

    /** The grace period of the deployment files (k8s/base/statefulset.yaml, docker/compose.yaml). */
    static final Duration GRACE = Duration.ofSeconds(60);

    @Test
    void shouldStopWithinTheGracePeriodWhenTheBrokerIsGone() throws Exception {
        LocalKafka kafka = LocalKafka.start(null);
        ServiceProcess service = null;
        try {
            kafka.createTopics(Map.of("stop-input", 2, "stop-predictions", 1, "stop-dlq", 1));
            Map<String, String> p = TestServices.properties(kafka.bootstrapServers(), "stop-it", Files.createTempDirectory("stop-it"),
                    "stop-input", "stop-predictions", "stop-dlq");
            service = TestServices.startReady(p, "shutdown-without-broker");
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (var producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 200; i++) {
                    producer.send(new ProducerRecord<>("stop-input", ("k" + i % 20).getBytes(StandardCharsets.UTF_8),
                            Double.toString(i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            ServiceProcess s = service;
            await().alias("records processed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> s.get("/q/metrics").body().lines().anyMatch(l -> l.startsWith("forecaster_events_total") && !l.endsWith(" 0.0")));
        } finally {
            kafka.close(); // the brokers are gone: the stop can commit nothing
        }
        long start = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", Long.toString(service.pid())).start().waitFor();
        Integer exit = service.waitForExit(GRACE.plusSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        service.kill();
        assertNotNull(exit, "still running " + took.toSeconds() + " s after SIGTERM; see " + service.log());
        assertTrue(took.compareTo(GRACE.minusSeconds(5)) < 0, "stopped after " + took.toMillis() + " ms, within the grace period with room to spare; see " + service.log());
    }
}
