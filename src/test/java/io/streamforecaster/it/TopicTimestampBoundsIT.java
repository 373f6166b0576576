package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.kafka.KafkaAccessCheck;
import io.streamforecaster.kafka.TopicTimestampBounds;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Output records carry their input's timestamp: an output topic that refuses old timestamps
 * ({@code message.timestamp.before.max.ms} with CreateTime) refuses a lagging stream's output,
 * which stalls its partition. The service names such a topic when it starts, on a real broker.
 */
class TopicTimestampBoundsIT {

    static LocalKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(null);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(
                    new NewTopic("bounds-input", 1, (short) 1),
                    new NewTopic("bounds-output", 1, (short) 1).configs(Map.of("message.timestamp.before.max.ms", "3600000")),
                    new NewTopic("bounds-dlq", 1, (short) 1),
                    new NewTopic("bounds-anomalies", 1, (short) 1).configs(Map.of("message.timestamp.before.max.ms", "3600000",
                            "message.timestamp.type", "LogAppendTime")))).all().get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldNameTheOutputTopicsThatRefuseOldTimestampsOnly() throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> warnings = TopicTimestampBounds.warnings(admin, new KafkaAccessCheck.Target(kafka.bootstrapServers(), "bounds",
                    "bounds-input", "bounds-output", "bounds-dlq", "bounds-anomalies", false), Duration.ofSeconds(30));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("Topic bounds-output refuses records whose timestamp is more than PT1H old"), warnings.get(0));
            assertTrue(warnings.get(0).contains("message.timestamp.before.max.ms = 3600000"), warnings.get(0));
            // a topic that does not exist (yet) is the access check's to report, not this
            assertEquals(List.of(), TopicTimestampBounds.warnings(admin, new KafkaAccessCheck.Target(kafka.bootstrapServers(), "bounds",
                    "bounds-input", "no-such-topic", "bounds-dlq", null, false), Duration.ofSeconds(30)));
        }
    }

    @Test
    void shouldWarnAsTheServiceStarts() throws Exception {
        Map<String, String> p = TestServices.properties(kafka.bootstrapServers(), "bounds-it", Files.createTempDirectory("bounds-it"),
                "bounds-input", "bounds-output", "bounds-dlq");
        Files.deleteIfExists(java.nio.file.Path.of("target", "it-logs", "topic-timestamp-bounds.log")); // appended to: this run's lines only
        try (ServiceProcess service = TestServices.startReady(p, "topic-timestamp-bounds")) {
            await().alias("the warning in " + service.log()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.readString(service.log()).contains("Topic bounds-output refuses records whose timestamp is more than PT1H old"));
            assertTrue(service.isAlive(), "a warning, not a refusal to start");
        }
    }
}
