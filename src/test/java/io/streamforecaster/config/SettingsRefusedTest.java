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

    /** Forecasts written to the input topic would come back as observations: the service would feed itself. */
    @Test
    void shouldRefuseAnOutputTopicThatIsTheInputTopic() {
        String m = refusal(Map.of("forecaster.topics.output", "forecaster-input"));
        assertTrue(m.contains("forecaster.topics.output = 'forecaster-input'") && m.contains("forecaster.topics.input"), m);
        m = refusal(Map.of("forecaster.topics.dead-letter", "forecaster-input"));
        assertTrue(m.contains("forecaster.topics.dead-letter = 'forecaster-input'"), m);
        m = refusal(Map.of("forecaster.topics.anomalies", "forecaster-input"));
        assertTrue(m.contains("forecaster.topics.anomalies = 'forecaster-input'"), m);
    }

    @Test
    void shouldRefuseTwoKindsOfOutputInOneTopic() {
        String m = refusal(Map.of("forecaster.topics.anomalies", "forecaster-predictions"));
        assertTrue(m.contains("forecaster.topics.anomalies = 'forecaster-predictions'") && m.contains("forecaster.topics.output"), m);
        m = refusal(Map.of("forecaster.topics.dead-letter", "forecaster-predictions"));
        assertTrue(m.contains("forecaster.topics.dead-letter"), m);
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
