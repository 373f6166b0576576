package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForecastJsonTest {

    @Test
    void shouldWriteJsonThatAnyParserReadsBackWithAwkwardKeys() throws Exception {
        for (String key : new String[] {"host-1.cpu", "quote\"back\\slash", "tab\tnew\nline\u0001", "ünïcødé ✓"}) {
            Forecast f = new Forecast(key, 1700000000000L, -101.25e-3, "lstm", "stacked", 3, 12, null, null, null, null, null, null);

            byte[] json = f.toJson();

            var tree = new ObjectMapper().readTree(json);
            assertEquals(key, tree.get("key").asText());
            assertEquals(f, Forecast.fromJson(json));
            assertFalse(tree.has("forecastVector"));
        }
    }

    @Test
    void shouldCarryEveryFeatureOfAMultivariateForecast() {
        Forecast f = new Forecast("m", 5, 1.5, "naive", "vanilla", 0, 4, new double[] {1.5, -2.0, 1e-9}, null, null, null, null, null);

        Forecast back = Forecast.fromJson(f.toJson());

        assertArrayEquals(f.forecastVector(), back.forecastVector());
        assertEquals("{\"key\":\"m\",\"timestamp\":5,\"forecast\":1.5,\"source\":\"naive\",\"variant\":\"vanilla\","
                + "\"modelVersion\":0,\"nSteps\":4,\"forecastVector\":[1.5,-2.0,1.0E-9]}", new String(f.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldCarryTheIntervalTheFallbackMarkAndEveryStepOfTheHorizon() throws Exception {
        Forecast.Step[] steps = {new Forecast.Step(1, 10.0, 8.0, 12.0), new Forecast.Step(2, 11.0, 8.17, 13.83)};
        Forecast f = new Forecast("h", 7, 10.0, "naive", "vanilla", 0, 12, null, 8.0, 12.0, true, null, steps);

        byte[] json = f.toJson();

        var tree = new ObjectMapper().readTree(json);
        assertEquals(8.0, tree.get("lower").asDouble());
        assertEquals(12.0, tree.get("upper").asDouble());
        assertTrue(tree.get("fallback").asBoolean());
        assertEquals(2, tree.get("horizon").size());
        assertEquals(2, tree.get("horizon").get(1).get("step").asInt());
        assertEquals(13.83, tree.get("horizon").get(1).get("upper").asDouble());
        Forecast back = Forecast.fromJson(json);
        assertArrayEquals(steps, back.horizon());
        assertEquals(f.lower(), back.lower());
    }

    /** A bound that overflowed (a forecast near the largest double, plus its half-width) is null, never a bare Infinity. */
    @Test
    void shouldWriteValidJsonWhenABoundIsNotFinite() throws Exception {
        Forecast.Step[] steps = {new Forecast.Step(1, 1e308, 0.9e308, Double.POSITIVE_INFINITY), new Forecast.Step(2, 1e308, Double.NEGATIVE_INFINITY, Double.NaN)};
        Forecast f = new Forecast("i", 7, 1e308, "lstm", "vanilla", 1, 12, null, 0.9e308, Double.POSITIVE_INFINITY, null, null, steps);

        var tree = new ObjectMapper().readTree(f.toJson());

        assertTrue(tree.get("upper").isNull());
        assertTrue(tree.get("horizon").get(1).get("lower").isNull() && tree.get("horizon").get(1).get("upper").isNull());
        assertEquals(1e308, tree.get("forecast").asDouble());
    }

    @Test
    void shouldLeaveOutTheIntervalWhileTheKeyHasNone() throws Exception {
        Forecast f = new Forecast("n", 7, 10.0, "lstm", "vanilla", 2, 12, null, null, null, null, null,
                new Forecast.Step[] {new Forecast.Step(1, 10.0, null, null)});

        var tree = new ObjectMapper().readTree(f.toJson());

        assertFalse(tree.has("lower"));
        assertFalse(tree.has("fallback"));
        assertFalse(tree.get("horizon").get(0).has("lower"));
    }

    @Test
    void shouldWriteEveryDoubleSoThatItReadsBackExactly() {
        var random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            double v = switch (i % 3) {
                case 0 -> random.nextGaussian() * 1e3;
                case 1 -> Math.round(random.nextDouble() * 1e6) / 1e3; // values as sensors send them
                default -> Double.longBitsToDouble(random.nextLong());
            };
            if (!Double.isFinite(v)) {
                continue;
            }
            String text = Forecast.number(v);
            assertEquals(v, Double.parseDouble(text), text);
            assertTrue(text.length() <= Double.toString(v).length(), text + " is longer than " + Double.toString(v));
        }
        assertEquals("100.0", Forecast.number(100));
        assertEquals("-0.001", Forecast.number(-1e-3));
    }
}
