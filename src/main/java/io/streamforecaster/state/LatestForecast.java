package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * The forecast a key served last: what the next value is scored against, and what queries of the
 * key's forecast read. Its interval is {@code values[0] ± halfWidth}; with a horizon, each step's.
 */
public final class LatestForecast implements StatePart {

    static final int TAG = 6;
    private static final byte VERSION = 1;

    private Source source = Source.NONE;
    private long modelVersion;
    private double[] values;
    private double halfWidth = Double.NaN;
    private double[] horizon;
    private double[] stepHalfWidths;

    /**
     * @param halfWidth half the width of the next value's prediction interval, NaN for none
     * @param horizon the first feature's forecasts for steps 1..H when H &gt; 1, else null
     */
    public void record(double[] values, Source source, long modelVersion, double halfWidth, double[] horizon) {
        if (source == Source.NONE) {
            throw new IllegalArgumentException("A recorded forecast needs a source");
        }
        this.values = values.clone();
        this.source = source;
        this.modelVersion = modelVersion;
        this.halfWidth = halfWidth;
        this.horizon = horizon;
        this.stepHalfWidths = null;
    }

    /** No forecast now (too few values, or cold start {@code skip}). */
    public void clear() {
        values = null;
        source = Source.NONE;
        modelVersion = 0;
        halfWidth = Double.NaN;
        horizon = null;
        stepHalfWidths = null;
    }

    public void stepHalfWidths(double[] widths) {
        this.stepHalfWidths = widths;
    }

    /** Whether there is a forecast. */
    public boolean present() {
        return source != Source.NONE;
    }

    public Source source() {
        return source;
    }

    public long modelVersion() {
        return modelVersion;
    }

    /** The forecast of {@code feature}; only while {@link #present}. */
    public double value(int feature) {
        return values[feature];
    }

    /** Every feature's forecast, or null. */
    public double[] values() {
        return values == null ? null : values.clone();
    }

    /** Half the width of the forecast's interval, NaN when it has none. */
    public double halfWidth() {
        return halfWidth;
    }

    /** Steps 1..H (first feature) when H &gt; 1, else null. */
    public double[] horizon() {
        return horizon == null ? null : horizon.clone();
    }

    /** The half-widths of the horizon's steps, null when it has none. */
    public double[] stepHalfWidths() {
        return stepHalfWidths == null ? null : stepHalfWidths.clone();
    }

    @Override
    public int tag() {
        return TAG;
    }

    static long encodedBytes(int nValues, int horizon, int widths) {
        return 1 + 1 + 8 + 4 + 8L * nValues + 8 + 4 + 8L * horizon + 4 + 8L * widths;
    }

    @Override
    public int encodedBytes() {
        return (int) encodedBytes(length(values), length(horizon), length(stepHalfWidths));
    }

    private static int length(double[] a) {
        return a == null ? 0 : a.length;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).put((byte) source.ordinal()).putLong(modelVersion);
        putArray(b, values);
        b.putDouble(halfWidth);
        putArray(b, horizon);
        putArray(b, stepHalfWidths);
    }

    private static void putArray(ByteBuffer b, double[] a) {
        b.putInt(length(a));
        for (int i = 0; i < length(a); i++) {
            b.putDouble(a[i]);
        }
    }

    static LatestForecast read(ByteBuffer b, int nFeatures) {
        SeriesStateFormat.version(b, VERSION, "latest forecast");
        int s = b.get();
        if (s < 0 || s >= Source.values().length) {
            throw new IllegalArgumentException("Series state record has an unknown forecast source " + s);
        }
        LatestForecast f = new LatestForecast();
        Source source = Source.values()[s];
        long version = b.getLong();
        double[] values = array(b);
        double half = b.getDouble();
        double[] horizon = array(b);
        double[] widths = array(b);
        if (source != Source.NONE) {
            if (values == null || values.length != nFeatures) {
                throw new IllegalArgumentException("Series state record has a forecast of " + length(values) + " values");
            }
            f.record(values, source, version, half, horizon);
            f.stepHalfWidths = widths;
        }
        return f;
    }

    /** A count and that many doubles; null for none. */
    static double[] array(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || 8L * n > b.remaining()) {
            throw new IllegalArgumentException("Series state record has an invalid array of " + n + " values");
        }
        if (n == 0) {
            return null;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = b.getDouble();
        }
        return a;
    }
}
