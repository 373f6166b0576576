package io.streamforecaster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.ServiceDefaults;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that would quietly misbehave are refused at startup, naming the setting. */
class SettingsRefusedTest {

    static String refusal(Map<String, String> settings) {
        var e = assertThrows(RuntimeException.class, () -> ServiceDefaults.settings(settings));
        Throwable t = e;
        StringBuilder message = new StringBuilder();
        while (t != null) {
            message.append(t.getMessage()).append(' ');
            t = t.getCause();
        }
        return message.toString();
    }

    /** Refused, naming the setting, its value and the setting it collides with. */
    static void assertCollision(String setting, String topic, String other) {
        String m = refusal(Map.of(setting, topic));
        assertTrue(m.contains(setting + " = '" + topic + "'") && m.contains(other), m);
    }

    /** Forecasts written to the input topic would come back as observations: the service would feed itself. */
    @Test
    void shouldRefuseAnOutputTopicThatIsTheInputTopic() {
        for (String setting : new String[] {"forecaster.topics.output", "forecaster.topics.dead-letter", "forecaster.topics.anomalies"}) {
            assertCollision(setting, "forecaster-input", "forecaster.topics.input");
        }
    }

    @Test
    void shouldRefuseTwoKindsOfOutputInOneTopic() {
        assertCollision("forecaster.topics.anomalies", "forecaster-predictions", "forecaster.topics.output");
        assertCollision("forecaster.topics.dead-letter", "forecaster-predictions", "forecaster.topics.output");
        assertEquals("forecaster-anomalies", ServiceDefaults.settings(Map.of("forecaster.topics.anomalies", "forecaster-anomalies")).anomaliesTopic());
    }

    /** With an interval of 0 the doubling for a model that keeps defending itself stayed 0: max-interval did nothing. */
    @Test
    void shouldRefuseATrainingIntervalOfZero() {
        String m = refusal(Map.of("forecaster.training.interval", "0s"));
        assertTrue(m.contains("forecaster.training.interval"), m);
        assertEquals(Duration.ofMillis(1), ServiceDefaults.settings(Map.of("forecaster.training.interval", "1ms",
                "forecaster.training.max-interval", "1s")).trainingInterval());
    }
}
