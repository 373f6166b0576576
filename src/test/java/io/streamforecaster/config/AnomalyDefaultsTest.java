package io.streamforecaster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.WithDefault;
import io.streamforecaster.anomaly.AnomalySettings;
import org.junit.jupiter.api.Test;

/** The service's anomaly defaults (its settings) are those the nab command and the tests use ({@link AnomalySettings#defaults}). */
class AnomalyDefaultsTest {

    static String byDefault(String method) throws NoSuchMethodException {
        return ForecasterConfig.Anomaly.class.getMethod(method).getAnnotation(WithDefault.class).value();
    }

    @Test
    void shouldShipTheDefaultsChosenOnNab() throws Exception {
        AnomalySettings d = AnomalySettings.defaults();
        AnomalySettings configured = new AnomalySettings(Double.parseDouble(byDefault("threshold")), Integer.parseInt(byDefault("warmUp")),
                Integer.parseInt(byDefault("memory")), Integer.parseInt(byDefault("averagingWindow")),
                Integer.parseInt(byDefault("levelWindow")), Integer.parseInt(byDefault("volatilityWindow")),
                Double.parseDouble(byDefault("rangeScale")), Integer.parseInt(byDefault("quiet")));
        assertEquals(d, configured);
    }
}
