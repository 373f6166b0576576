package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForecastJsonTest {

    @Test
    void shouldWriteJsonThatAnyParserReadsBackWithAwkwardKeys() throws Exception {
        for (String key : new String[] {"host-1.cpu", "quote\"back\\slash", "tab\tnew\nline\u0001", "ünïcødé ✓"}) {
            Forecast f = new Forecast(key, 1700000000000L, -101.25e-3, "lstm", "stacked", 3, 12, null);

            byte[] json = f.toJson();

            var tree = new ObjectMapper().readTree(json);
            assertEquals(key, tree.get("key").asText());
            assertEquals(f, Forecast.fromJson(json));
            assertFalse(tree.has("forecastVector"));
        }
    }

    @Test
    void shouldCarryEveryFeatureOfAMultivariateForecast() {
        Forecast f = new Forecast("m", 5, 1.5, "naive", "vanilla", 0, 4, new double[] {1.5, -2.0, 1e-9});

        Forecast back = Forecast.fromJson(f.toJson());

        assertArrayEquals(f.forecastVector(), back.forecastVector());
        assertEquals("{\"key\":\"m\",\"timestamp\":5,\"forecast\":1.5,\"source\":\"naive\",\"variant\":\"vanilla\","
                + "\"modelVersion\":0,\"nSteps\":4,\"forecastVector\":[1.5,-2.0,1.0E-9]}", new String(f.toJson(), StandardCharsets.UTF_8));
    }
}
