package io.streamforecaster.state;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * For horizons H &gt; 1: the first feature's horizons of the last H observations (slot
 * {@code observations % H}, NaN where none was made), and per step the exponentially weighted
 * absolute error of those forecasts and an online estimate of the error quantile the step's
 * interval needs (quantile tracking), so that each step's interval is scaled by its own errors.
 */
public final class HorizonErrors implements StatePart {

    static final int TAG = 5;
    private static final byte VERSION = 1;

    private double[] pastHorizons;
    private double[] stepError;
    private double[] stepWeight;
    private double[] stepQuantile;

    /**
     * Scores every earlier horizon's forecast of {@code actual} (the forecast made k observations
     * ago for step k): updates the step's mean absolute error and tracks the {@code 1 - miss}
     * quantile of its absolute errors (each miss raises the estimate by {@code rate × (1 - miss)}
     * of the step's mean error, each hit lowers it by {@code rate × miss} of it, so that in the long
     * run a share {@code miss} of the errors lies above it).
     *
     * @param next the key's observation count once {@code actual} is appended
     */
    public void score(double actual, long next, int h, double alpha, double miss, double rate) {
        ensure(h);
        for (int k = 1; k <= h; k++) {
            long madeAt = next - k;
            if (madeAt < 1) {
                break;
            }
            double f = pastHorizons[(int) (madeAt % h) * h + (k - 1)];
            if (Double.isNaN(f)) {
                continue;
            }
            double e = Math.abs(actual - f);
            if (!Double.isFinite(e)) {
                continue;
            }
            stepError[k - 1] = (1 - alpha) * stepError[k - 1] + alpha * e;
            stepWeight[k - 1] = (1 - alpha) * stepWeight[k - 1] + alpha;
            double q = stepQuantile[k - 1];
            if (Double.isNaN(q)) {
                stepQuantile[k - 1] = e;
            } else {
                double step = rate * stepError[k - 1] / stepWeight[k - 1];
                stepQuantile[k - 1] = Math.max(0, q + step * ((e > q ? 1 : 0) - miss));
            }
        }
    }

    /** Remembers the horizon made at observation count {@code observations}, or that none was (null). */
    public void record(double[] values, long observations, int h) {
        ensure(h);
        int slot = (int) (observations % h) * h;
        for (int k = 0; k < h; k++) {
            pastHorizons[slot + k] = values == null ? Double.NaN : values[k];
        }
    }

    /** Recent mean absolute error of step {@code k} (1-based) forecasts, NaN before any was scored. */
    public double stepMae(int k) {
        return stepWeight == null || stepWeight[k - 1] <= 0 ? Double.NaN : stepError[k - 1] / stepWeight[k - 1];
    }

    /** The tracked error quantile of step {@code k} (1-based), NaN before any was scored. */
    public double stepQuantile(int k) {
        return stepQuantile == null ? Double.NaN : stepQuantile[k - 1];
    }

    /** The weight behind {@link #stepMae}: 1 - (1 - alpha)^n after n scored forecasts. */
    public double stepWeight(int k) {
        return stepWeight == null ? 0 : stepWeight[k - 1];
    }

    /** Forgets every horizon and statistic: the horizon setting went back to 1, which keeps none (their bytes would stay in the key's record). */
    public void clear() {
        pastHorizons = null;
        stepError = null;
        stepWeight = null;
        stepQuantile = null;
    }

    /** The horizon the statistics are kept for; 0 before any. */
    public int steps() {
        return stepError == null ? 0 : stepError.length;
    }

    private void ensure(int h) {
        if (pastHorizons == null || stepError.length != h) { // first use, or the horizon setting changed
            pastHorizons = new double[h * h];
            Arrays.fill(pastHorizons, Double.NaN);
            stepError = new double[h];
            stepWeight = new double[h];
            stepQuantile = new double[h];
            Arrays.fill(stepQuantile, Double.NaN);
        }
    }

    @Override
    public int tag() {
        return TAG;
    }

    static long encodedBytes(int steps) {
        long h = steps;
        return 1 + 4 + 8 * (h * h + 3 * h);
    }

    @Override
    public int encodedBytes() {
        return (int) encodedBytes(steps());
    }

    @Override
    public void write(ByteBuffer b) {
        int h = steps();
        b.put(VERSION).putInt(h);
        for (int i = 0; i < h * h; i++) {
            b.putDouble(pastHorizons[i]);
        }
        for (int i = 0; i < h; i++) {
            b.putDouble(stepError[i]).putDouble(stepWeight[i]).putDouble(stepQuantile[i]);
        }
    }

    static HorizonErrors read(ByteBuffer b) {
        SeriesStateFormat.version(b, VERSION, "horizon errors");
        HorizonErrors e = new HorizonErrors();
        e.restore(b, b.getInt());
        return e;
    }

    void restore(ByteBuffer b, int h) {
        if (h < 0 || h > 1000 || 8L * ((long) h * h + 3L * h) > b.remaining()) {
            throw new IllegalArgumentException("Series state record has invalid horizon statistics for " + h + " steps");
        }
        if (h == 0) {
            return;
        }
        ensure(h);
        for (int i = 0; i < h * h; i++) {
            pastHorizons[i] = b.getDouble();
        }
        for (int i = 0; i < h; i++) {
            stepError[i] = b.getDouble();
            stepWeight[i] = b.getDouble();
            stepQuantile[i] = b.getDouble();
        }
    }
}
