package io.streamforecaster.model;

/**
 * The sigmoid as training needs it: to float precision, as DL4J computes it ({@code 1 / (1 + exp(-x))}),
 * at a fraction of {@code Math.exp}'s cost. A table of the sigmoid and its slope every 1/128 on
 * [-16, 16], interpolated by a cubic Hermite polynomial: the interpolation error is below 1e-11,
 * far under float rounding. (The forecast's linear table, {@link FastForecaster#sigmoid}, is off
 * by up to 3e-6: enough to make training drift away from DL4J's over many epochs and refits.)
 */
final class Sigmoid {

    private static final float RANGE = 16f;
    private static final float STEPS_PER_UNIT = 128f;
    private static final int POINTS = (int) (2 * RANGE * STEPS_PER_UNIT) + 1;
    private static final float LAST = POINTS - 1;
    /** The sigmoid at each point, and at each point its slope times the step (1/128); one more point repeats the last. */
    private static final float[] VALUE = new float[POINTS + 1];
    private static final float[] SLOPE = new float[POINTS + 1];

    static {
        for (int i = 0; i <= POINTS; i++) {
            double x = Math.min(i, POINTS - 1) / (double) STEPS_PER_UNIT - RANGE;
            double s = 1.0 / (1.0 + Math.exp(-x));
            VALUE[i] = (float) s;
            SLOPE[i] = (float) (s * (1 - s) / STEPS_PER_UNIT);
        }
    }

    private Sigmoid() {
    }

    static float of(float v) {
        double t = (v + (double) RANGE) * STEPS_PER_UNIT; // exact in double: in float, v + 16 would round v to 2e-6
        if (!(t > 0)) { // also NaN
            return t != t ? Float.NaN : VALUE[0];
        }
        if (t >= LAST) {
            return VALUE[POINTS - 1];
        }
        int i = (int) t;
        float u = (float) (t - i);
        float a = VALUE[i];
        float d = VALUE[i + 1] - a;
        // Hermite: a + u d + u (1 - u) ((1 - u) (h a' - d) - u (h b' - d))
        return a + u * d + u * (1 - u) * ((1 - u) * (SLOPE[i] - d) - u * (SLOPE[i + 1] - d));
    }
}
