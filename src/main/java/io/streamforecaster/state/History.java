package io.streamforecaster.state;

import java.nio.ByteBuffer;

/** A key's last observations in a ring buffer (not one store entry per observation), and how many it has had. */
public final class History implements StatePart {

    static final int TAG = 1;
    private static final byte VERSION = 1;

    private final int nFeatures;
    private final int capacity;
    private final double[] ring;
    private int head;
    private int size;
    private long observations;
    private long lastTimestamp;

    public History(int nFeatures, int capacity) {
        if (nFeatures < 1 || capacity < 1) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures + " or capacity = " + capacity);
        }
        this.nFeatures = nFeatures;
        this.capacity = capacity;
        this.ring = new double[Math.multiplyExact(nFeatures, capacity)];
    }

    public void append(double[] row, long timestamp) {
        if (row.length != nFeatures) {
            throw new IllegalArgumentException("Row of " + row.length + " values, expected " + nFeatures);
        }
        int slot = (head + size) % capacity;
        if (size == capacity) {
            slot = head;
            head = (head + 1) % capacity;
        } else {
            size++;
        }
        System.arraycopy(row, 0, ring, slot * nFeatures, nFeatures);
        observations++;
        lastTimestamp = timestamp;
    }

    /** Row {@code i} of the retained history, 0 being the oldest. */
    public double value(int i, int feature) {
        return ring[((head + i) % capacity) * nFeatures + feature];
    }

    /** The newest value of {@code feature}; the history must not be empty. */
    public double last(int feature) {
        return value(size - 1, feature);
    }

    public double[] lastRow() {
        double[] row = new double[nFeatures];
        for (int f = 0; f < nFeatures; f++) {
            row[f] = value(size - 1, f);
        }
        return row;
    }

    /** The newest {@code n} rows, oldest first. */
    public double[][] lastRows(int n) {
        if (n > size) {
            throw new IllegalArgumentException("Asked for " + n + " rows, history has " + size);
        }
        double[][] out = new double[n][nFeatures];
        int slot = (head + size - n) % capacity; // one division: this runs for every forecast
        for (int i = 0; i < n; i++) {
            System.arraycopy(ring, slot * nFeatures, out[i], 0, nFeatures);
            if (++slot == capacity) {
                slot = 0;
            }
        }
        return out;
    }

    /** A copy of the whole retained history, oldest first: what training gets. */
    public double[][] rows() {
        return lastRows(size);
    }

    public int nFeatures() {
        return nFeatures;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    /** Observations the key has had, retained or not. */
    public long observations() {
        return observations;
    }

    public long lastTimestamp() {
        return lastTimestamp;
    }

    @Override
    public int tag() {
        return TAG;
    }

    static long encodedBytes(int rows, int nFeatures) {
        return 1 + 8 + 8 + 4 + 8L * rows * nFeatures;
    }

    @Override
    public int encodedBytes() {
        return (int) encodedBytes(size, nFeatures);
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putLong(observations).putLong(lastTimestamp).putInt(size);
        // the ring in time order, copied in bulk: from head to the end of the array, then from its start
        int first = Math.min(size, capacity - head);
        var doubles = b.asDoubleBuffer();
        doubles.put(ring, head * nFeatures, first * nFeatures);
        doubles.put(ring, 0, (size - first) * nFeatures);
        b.position(b.position() + 8 * size * nFeatures);
    }

    /** Reads a history into one of the given capacity: a smaller one keeps the newest rows. */
    static History read(ByteBuffer b, int nFeatures, int capacity) {
        SeriesStateFormat.version(b, VERSION, "history");
        long observations = b.getLong();
        long lastTimestamp = b.getLong();
        int size = b.getInt();
        if (size < 0 || (long) size * nFeatures * 8 != b.remaining()) {
            throw new IllegalArgumentException("Series state record has an invalid history of " + size + " rows");
        }
        return restore(b, nFeatures, capacity, size, observations, lastTimestamp);
    }

    /** The history of {@code size} rows at the buffer's position, time order, into this capacity. */
    static History restore(ByteBuffer b, int nFeatures, int capacity, int size, long observations, long lastTimestamp) {
        if (observations < size) {
            throw new IllegalArgumentException("Series state record has " + size + " rows of " + observations + " observations");
        }
        History h = new History(nFeatures, capacity);
        int skip = Math.max(0, size - capacity);
        b.position(b.position() + skip * nFeatures * 8);
        b.asDoubleBuffer().get(h.ring, 0, (size - skip) * nFeatures);
        b.position(b.position() + (size - skip) * nFeatures * 8);
        h.head = 0;
        h.size = size - skip;
        h.observations = observations;
        h.lastTimestamp = lastTimestamp;
        return h;
    }
}
