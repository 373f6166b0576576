package io.streamforecaster.history;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Everything the stream keeps for one key in one store entry: the last observations in a ring
 * buffer (not one entry per observation), the key's latest forecast, and its online accuracy.
 * Mutable, owned by the stream thread of the key's task.
 */
public final class SeriesState {

    static final int MAGIC = 0x53465331; // "SFS1"

    /** What produced a forecast. */
    public enum Source {
        NONE, NAIVE, LSTM;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int nFeatures;
    private final int capacity;
    private final double[] ring;
    private int head;
    private int size;
    private long observations;
    private long lastTimestamp;

    private Source forecastSource = Source.NONE;
    private long forecastModelVersion;
    private double[] forecast;

    private double modelError;
    private double naiveError;
    private double errorWeight;
    private long scored;

    public SeriesState(int nFeatures, int capacity) {
        if (nFeatures < 1 || capacity < 1) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures + " or capacity = " + capacity);
        }
        this.nFeatures = nFeatures;
        this.capacity = capacity;
        this.ring = new double[nFeatures * capacity];
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
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < nFeatures; f++) {
                out[i][f] = value(size - n + i, f);
            }
        }
        return out;
    }

    /** A copy of the whole retained history, oldest first: what training gets. */
    public double[][] rows() {
        return lastRows(size);
    }

    /**
     * Scores the forecast made at the previous observation against {@code actual} and the naive
     * last-value forecast on the same point; call before {@link #append}.
     *
     * @return the absolute errors {model, naive}, or null when there was nothing to score
     */
    public double[] score(double[] actual, double alpha) {
        if (forecastSource == Source.NONE || size == 0) {
            return null;
        }
        double modelAbs = Math.abs(actual[0] - forecast[0]);
        double naiveAbs = Math.abs(actual[0] - value(size - 1, 0));
        modelError = (1 - alpha) * modelError + alpha * modelAbs;
        naiveError = (1 - alpha) * naiveError + alpha * naiveAbs;
        errorWeight = (1 - alpha) * errorWeight + alpha;
        scored++;
        return new double[] {modelAbs, naiveAbs};
    }

    public void recordForecast(double[] values, Source source, long modelVersion) {
        this.forecast = values.clone();
        this.forecastSource = source;
        this.forecastModelVersion = modelVersion;
    }

    public void clearForecast() {
        this.forecast = null;
        this.forecastSource = Source.NONE;
        this.forecastModelVersion = 0;
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

    public long observations() {
        return observations;
    }

    public long lastTimestamp() {
        return lastTimestamp;
    }

    public Source forecastSource() {
        return forecastSource;
    }

    public long forecastModelVersion() {
        return forecastModelVersion;
    }

    /** The latest forecast, or null. */
    public double[] forecast() {
        return forecast == null ? null : forecast.clone();
    }

    public long scored() {
        return scored;
    }

    /** Recent MAE of this key's forecasts, NaN before any was scored. */
    public double onlineMae() {
        return errorWeight > 0 ? modelError / errorWeight : Double.NaN;
    }

    /** Recent MAE of the naive last-value forecast on the same points. */
    public double naiveMae() {
        return errorWeight > 0 ? naiveError / errorWeight : Double.NaN;
    }

    public byte[] toBytes() {
        int fc = forecast == null ? 0 : nFeatures;
        // little-endian, the CPU's own order: the history is copied in bulk, without swapping bytes
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 4 + 4 + 8 + 8 + 1 + 8 + 8 * fc + 8 * 3 + 8 + 8 * size * nFeatures)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(nFeatures).putInt(capacity).putInt(size).putLong(observations).putLong(lastTimestamp);
        b.put((byte) (forecast == null ? Source.NONE : forecastSource).ordinal()).putLong(forecastModelVersion);
        for (int f = 0; f < fc; f++) {
            b.putDouble(forecast[f]);
        }
        b.putDouble(modelError).putDouble(naiveError).putDouble(errorWeight).putLong(scored);
        // the ring in time order: from head to the end of the array, then from its start
        int first = Math.min(size, capacity - head);
        var doubles = b.asDoubleBuffer();
        doubles.put(ring, head * nFeatures, first * nFeatures);
        doubles.put(ring, 0, (size - first) * nFeatures);
        return b.array();
    }

    /**
     * Reads a stored state into one of the given shape: a different history size keeps the newest
     * rows that fit; a different feature count cannot be carried over and gives null.
     */
    public static SeriesState fromBytes(byte[] bytes, int nFeatures, int capacity) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt() != MAGIC) {
                throw new IllegalArgumentException("Not a series state record (bad magic)");
            }
            int nf = b.getInt();
            b.getInt(); // stored capacity: the configured one wins
            int size = b.getInt();
            if (nf != nFeatures) {
                return null;
            }
            if (size < 0 || (long) size * nf * 8 > bytes.length) {
                throw new IllegalArgumentException("Series state record has invalid size " + size);
            }
            SeriesState s = new SeriesState(nf, capacity);
            long observations = b.getLong();
            long lastTimestamp = b.getLong();
            Source source = Source.values()[b.get()];
            long version = b.getLong();
            double[] forecast = null;
            if (source != Source.NONE) {
                forecast = new double[nf];
                for (int f = 0; f < nf; f++) {
                    forecast[f] = b.getDouble();
                }
            }
            s.modelError = b.getDouble();
            s.naiveError = b.getDouble();
            s.errorWeight = b.getDouble();
            s.scored = b.getLong();
            int skip = Math.max(0, size - capacity);
            b.position(b.position() + skip * nf * 8);
            b.asDoubleBuffer().get(s.ring, 0, (size - skip) * nf);
            s.head = 0;
            s.size = size - skip;
            s.observations = observations;
            s.lastTimestamp = lastTimestamp;
            if (forecast != null) {
                s.recordForecast(forecast, source, version);
            }
            return s;
        } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Series state record is truncated or corrupt", e);
        }
    }
}
