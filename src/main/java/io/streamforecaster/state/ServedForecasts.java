package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * What a key served against what happened, for its last few observations: per observation its
 * time, the actual value (first feature), and the forecast that had been served for it (value,
 * interval half-width, source, model version), NaN where none was. A ring of fixed size, so the
 * operator page plots what was really served, not a recomputation.
 */
public final class ServedForecasts implements StatePart {

    static final int TAG = 8;
    private static final byte VERSION = 1;
    /** Bytes one point takes in the record (and about as much on the heap). */
    public static final int POINT_BYTES = 8 + 8 + 8 + 4 + 4 + 1 + 1;

    static final int FALLBACK = 1;
    static final int DAMPED = 2;

    private final long[] timestamps;
    private final double[] actuals;
    private final double[] forecasts;
    private final float[] halfWidths;
    private final int[] versions;
    private final byte[] sources;
    private final byte[] flags;
    private int head;
    private int count;

    /** One served point, oldest first when listed. */
    public record Point(long timestamp, double actual, double forecast, double halfWidth, Source source, long modelVersion,
                        boolean fallback, boolean damped) {

        /** Whether the actual fell outside the served forecast's interval (false when it had none). */
        public boolean outside() {
            return Double.isFinite(halfWidth) && Double.isFinite(forecast) && Math.abs(actual - forecast) > halfWidth;
        }
    }

    public ServedForecasts(int capacity) {
        if (capacity < 0 || capacity > 100_000) {
            throw new IllegalArgumentException("Invalid forecaster.history.served-points = " + capacity + ": must be 0 to 100000");
        }
        timestamps = new long[capacity];
        actuals = new double[capacity];
        forecasts = new double[capacity];
        halfWidths = new float[capacity];
        versions = new int[capacity];
        sources = new byte[capacity];
        flags = new byte[capacity];
    }

    /**
     * Records one observation and what had been served for it.
     *
     * @param served the forecast served for this observation, or null when none was
     */
    public void add(long timestamp, double actual, LatestForecast served, boolean fallback, boolean damped) {
        int capacity = timestamps.length;
        if (capacity == 0) {
            return;
        }
        int slot;
        if (count < capacity) {
            slot = (head + count) % capacity;
            count++;
        } else { // full: the oldest point makes room
            slot = head;
            head = (head + 1) % capacity;
        }
        timestamps[slot] = timestamp;
        actuals[slot] = actual;
        boolean present = served != null && served.present();
        forecasts[slot] = present ? served.value(0) : Double.NaN;
        halfWidths[slot] = present ? (float) served.halfWidth() : Float.NaN;
        versions[slot] = present ? (int) Math.min(Integer.MAX_VALUE, served.modelVersion()) : 0;
        sources[slot] = (byte) (present ? served.source().ordinal() : Source.NONE.ordinal());
        flags[slot] = (byte) ((present && fallback ? FALLBACK : 0) | (present && damped ? DAMPED : 0));
    }

    /** The newest {@code n} points (fewer if it has fewer), oldest first. */
    public Point[] last(int n) {
        int k = Math.min(Math.max(n, 0), count);
        Point[] out = new Point[k];
        int capacity = timestamps.length;
        for (int i = 0; i < k; i++) {
            int slot = (head + count - k + i) % capacity;
            out[i] = new Point(timestamps[slot], actuals[slot], forecasts[slot], halfWidths[slot], Source.values()[sources[slot]],
                    versions[slot], (flags[slot] & FALLBACK) != 0, (flags[slot] & DAMPED) != 0);
        }
        return out;
    }

    /** Share of the points with an interval whose actual fell inside it, NaN when none had one. */
    public double coverage() {
        int with = 0;
        int inside = 0;
        int capacity = timestamps.length;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) % capacity;
            if (Float.isFinite(halfWidths[slot]) && Double.isFinite(forecasts[slot])) {
                with++;
                inside += Math.abs(actuals[slot] - forecasts[slot]) <= halfWidths[slot] ? 1 : 0;
            }
        }
        return with == 0 ? Double.NaN : (double) inside / with;
    }

    public int count() {
        return count;
    }

    public int capacity() {
        return timestamps.length;
    }

    @Override
    public int tag() {
        return TAG;
    }

    static long encodedBytes(int points) {
        return 1 + 4 + (long) POINT_BYTES * points;
    }

    @Override
    public int encodedBytes() {
        return (int) encodedBytes(count);
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putInt(count);
        int capacity = timestamps.length;
        for (int i = 0; i < count; i++) { // oldest first
            int slot = (head + i) % capacity;
            b.putLong(timestamps[slot]).putDouble(actuals[slot]).putDouble(forecasts[slot]).putFloat(halfWidths[slot])
                    .putInt(versions[slot]).put(sources[slot]).put(flags[slot]);
        }
    }

    /** Reads the points into this capacity: a smaller one keeps the newest. */
    static ServedForecasts read(ByteBuffer b, int capacity) {
        SeriesStateFormat.version(b, VERSION, "served forecasts");
        int n = b.getInt();
        if (n < 0 || (long) n * POINT_BYTES != b.remaining()) {
            throw new IllegalArgumentException("Series state record has an invalid count of served forecasts " + n);
        }
        ServedForecasts s = new ServedForecasts(capacity);
        int skip = Math.max(0, n - capacity);
        b.position(b.position() + skip * POINT_BYTES);
        for (int i = skip; i < n; i++) {
            long ts = b.getLong();
            double actual = b.getDouble();
            double forecast = b.getDouble();
            float half = b.getFloat();
            int version = b.getInt();
            byte source = b.get();
            byte flag = b.get();
            if (source < 0 || source >= Source.values().length) {
                throw new IllegalArgumentException("Series state record has an unknown forecast source " + source);
            }
            int slot = s.count++;
            s.timestamps[slot] = ts;
            s.actuals[slot] = actual;
            s.forecasts[slot] = forecast;
            s.halfWidths[slot] = half;
            s.versions[slot] = version;
            s.sources[slot] = source;
            s.flags[slot] = flag;
        }
        return s;
    }
}
