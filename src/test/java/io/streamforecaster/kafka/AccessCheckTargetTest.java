package io.streamforecaster.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.ForecasterConfig;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The access check covers every topic the service writes: with {@code forecaster.topics.anomalies}
 * set, a missing Write on it would otherwise pass the check (readiness UP) and fail the stream thread
 * at the first anomaly.
 */
class AccessCheckTargetTest {

    static ForecasterConfig.Topics topics(Optional<String> anomalies) {
        return (ForecasterConfig.Topics) java.lang.reflect.Proxy.newProxyInstance(ForecasterConfig.Topics.class.getClassLoader(),
                new Class<?>[] {ForecasterConfig.Topics.class}, (p, m, args) -> switch (m.getName()) {
                    case "input" -> "in";
                    case "output" -> "out";
                    case "deadLetter" -> "dlq";
                    case "anomalies" -> anomalies;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    static final Map<String, Object> STREAMS = Map.of("bootstrap.servers", "broker:9093", "application.id", "app",
            "processing.guarantee", "exactly_once_v2");

    @Test
    void shouldCheckWriteOnTheAnomaliesTopicWhenItIsSet() {
        KafkaAccessCheck.Target t = KafkaAccessCheck.Target.of(STREAMS, topics(Optional.of("anomalies")));
        assertEquals("broker:9093", t.bootstrap());
        assertTrue(t.exactlyOnce());
        assertTrue(t.acls().stream().anyMatch(a -> a.resource() == ResourceType.TOPIC && a.name().equals("anomalies")
                && a.operations().equals(java.util.Set.of(AclOperation.WRITE))), t.acls().toString());
    }

    @Test
    void shouldNotAskForAnAnomaliesTopicThatIsNotSet() {
        KafkaAccessCheck.Target t = KafkaAccessCheck.Target.of(Map.of("bootstrap.servers", "b:1", "application.id", "app"),
                topics(Optional.empty()));
        assertFalse(t.exactlyOnce(), "at-least-once by default");
        assertEquals(5, t.acls().size(), t.acls().toString());
        assertTrue(t.acls().stream().noneMatch(a -> a.why().contains("anomalies")));
    }
}
