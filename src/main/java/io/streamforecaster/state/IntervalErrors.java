package io.streamforecaster.state;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The absolute errors of a key's latest served forecasts, which its prediction interval is built
 * from (split-conformal), kept sorted as they come and go, and the miss level the interval is
 * currently built for (adaptive conformal inference).
 */
public final class IntervalErrors implements StatePart {

    static final int TAG = 4;
    private static final byte VERSION = 1;

    private final float[] errors;
    private int head;
    private int count;
    /** The same errors in ascending order, kept up to date as they come and go; built on first use, never stored. */
    private float[] sorted;
    private double missLevel = Double.NaN;

    public IntervalErrors(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Invalid interval error capacity = " + capacity);
        }
        this.errors = new float[capacity];
    }

    public void add(double absError) {
        float e = (float) Math.min(absError, Float.MAX_VALUE);
        boolean full = count == errors.length;
        float evicted = errors[head];
        if (!full) {
            errors[(head + count++) % errors.length] = e;
        } else {
            errors[head] = e;
            head = (head + 1) % errors.length;
        }
        if (sorted != null) { // out with the oldest, in with the new: two binary searches, two short copies
            int n = full ? count : count - 1;
            if (full) {
                int i = Arrays.binarySearch(sorted, 0, n, evicted);
                System.arraycopy(sorted, i + 1, sorted, i, n - i - 1);
                n--;
            }
            int j = Arrays.binarySearch(sorted, 0, n, e);
            j = j < 0 ? -j - 1 : j;
            System.arraycopy(sorted, j, sorted, j + 1, n - j);
            sorted[j] = e;
        }
    }

    /** The {@code k}-th smallest (0-based) of the recent errors: a lookup, as they are kept sorted. */
    public float smallest(int k) {
        if (k < 0 || k >= count) {
            throw new IndexOutOfBoundsException("Error " + k + " of " + count);
        }
        if (sorted == null) {
            sorted = new float[errors.length];
            for (int i = 0; i < count; i++) {
                sorted[i] = errors[(head + i) % errors.length];
            }
            Arrays.sort(sorted, 0, count);
        }
        return sorted[k];
    }

    public int count() {
        return count;
    }

    public int capacity() {
        return errors.length;
    }

    /** The adaptive miss rate the interval is currently built for; NaN before it moved from the target. */
    public double missLevel() {
        return missLevel;
    }

    public void missLevel(double level) {
        this.missLevel = level;
    }

    @Override
    public int tag() {
        return TAG;
    }

    static long encodedBytes(int count) {
        return 1 + 8 + 4 + 4L * count;
    }

    @Override
    public int encodedBytes() {
        return (int) encodedBytes(count);
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putDouble(missLevel).putInt(count);
        for (int i = 0; i < count; i++) { // oldest first
            b.putFloat(errors[(head + i) % errors.length]);
        }
    }

    /** Reads the errors into this capacity: a smaller one keeps the newest. */
    static IntervalErrors read(ByteBuffer b, int capacity) {
        SeriesStateFormat.version(b, VERSION, "interval errors");
        IntervalErrors e = new IntervalErrors(capacity);
        e.missLevel = b.getDouble();
        e.restore(b, b.getInt());
        return e;
    }

    void restore(ByteBuffer b, int n) {
        if (n < 0 || 4L * n > b.remaining()) {
            throw new IllegalArgumentException("Series state record has an invalid error count " + n);
        }
        for (int i = 0; i < n; i++) {
            add(b.getFloat());
        }
    }
}
