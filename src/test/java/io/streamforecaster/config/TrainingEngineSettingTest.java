package io.streamforecaster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.tools.ServiceDefaults;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code forecaster.training.engine}, read the way the service reads its configuration. */
class TrainingEngineSettingTest {

    @Test
    void shouldTrainWithTheJavaEngineByDefault() {
        assertEquals(TrainingEngine.JAVA, ServiceDefaults.settings(Map.of()).training().engine());
    }

    @Test
    void shouldKeepDl4jSelectable() {
        assertEquals(TrainingEngine.DL4J, ServiceDefaults.settings(Map.of("forecaster.training.engine", "dl4j")).training().engine());
        assertEquals(TrainingEngine.JAVA, ServiceDefaults.settings(Map.of("forecaster.training.engine", "java")).training().engine());
    }

    @Test
    void shouldRejectAnUnknownEngineNamingTheSetting() {
        var e = assertThrows(RuntimeException.class,
                () -> ServiceDefaults.settings(Map.of("forecaster.training.engine", "tensorflow")));
        String message = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(message.contains("forecaster.training.engine"), message);
    }
}
