package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SigmoidTest {

    private static double exact(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    @Test
    void shouldAgreeWithTheExactSigmoidToFloatPrecision() {
        SplittableRandom random = new SplittableRandom(11);
        double worst = 0;
        for (int i = 0; i < 1_000_000; i++) {
            float x = (float) random.nextDouble(-20, 20);
            worst = Math.max(worst, Math.abs(Sigmoid.of(x) - exact(x)));
        }
        // a float near 1 is spaced 6e-8 apart: within about one rounding of the exact value
        assertTrue(worst < 1.2e-7, "worst error " + worst);
    }

    @Test
    void shouldBeCloserThanTheForecastsLinearTable() {
        // the reason for a second table: the forecast's linear interpolation is off by microunits
        SplittableRandom random = new SplittableRandom(12);
        double hermite = 0;
        double linear = 0;
        for (int i = 0; i < 100_000; i++) {
            float x = (float) random.nextDouble(-8, 8);
            hermite = Math.max(hermite, Math.abs(Sigmoid.of(x) - exact(x)));
            linear = Math.max(linear, Math.abs(FastForecaster.sigmoid(x) - exact(x)));
        }
        assertTrue(hermite * 10 < linear, "hermite " + hermite + ", linear " + linear);
    }

    @Test
    void shouldSaturateOutsideTheTableAndPassNaNThrough() {
        assertEquals(exact(-16), Sigmoid.of(-1000f), 1e-9);
        assertEquals(exact(16), Sigmoid.of(1000f), 1e-7);
        assertEquals(0.5f, Sigmoid.of(0f), 1e-7);
        assertTrue(Float.isNaN(Sigmoid.of(Float.NaN)));
    }
}
