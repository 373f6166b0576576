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

    static final int MAGIC_V1 = 0x53465331; // "SFS1": before champion/challenger and intervals
    static final int MAGIC = 0x53465332; // "SFS2"
    /** Recent one-step errors kept for prediction intervals unless told otherwise. */
    public static final int DEFAULT_RESIDUALS = 100;
    /** Share of the model's forecast change a damped forecast keeps. */
    public static final double DAMPING = 0.5;

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

    /** The model's own forecast of the next value (first feature), also while naive is served. */
    private double modelForecast = Double.NaN;
    /** The model version the judgement below belongs to; 0 for none. */
    private long judgedVersion;
    private double judgedModelError;
    private double judgedNaiveError;
    /** Errors of the damped forecast: the last value plus half the model's forecast change. */
    private double judgedDampedError;
    private double judgedWeight;
    private long judgedPoints;
    private boolean fallback;
    private boolean damped;
    private long fallbacks;

    /** Absolute errors of the latest served forecasts, for prediction intervals. */
    private final float[] residuals;
    private int residualHead;
    private int residualCount;
    /** The same errors in ascending order, kept up to date as they come and go; built on first use, never stored. */
    private float[] sortedResiduals;
    /** The adaptive miss rate the interval is currently built for (adaptive conformal inference). */
    private double missLevel = Double.NaN;
    private double halfWidth = Double.NaN;
    private double[] horizon;
    /** Half-widths of the horizon's steps 1..H, widening with the step; null with the horizon. */
    private double[] stepHalfWidths;

    /**
     * For horizons H &gt; 1: the first feature's horizons of the last H observations (slot
     * {@code observations % H}, NaN where none was made), and per step the exponentially weighted
     * absolute error of those forecasts, so that each step's interval is scaled by its own errors.
     */
    private double[] pastHorizons;
    private double[] stepError;
    private double[] stepWeight;
    /** Per step, an online estimate of the error quantile the interval needs (quantile tracking). */
    private double[] stepQuantile;

    public SeriesState(int nFeatures, int capacity) {
        this(nFeatures, capacity, DEFAULT_RESIDUALS);
    }

    public SeriesState(int nFeatures, int capacity, int residualCapacity) {
        if (nFeatures < 1 || capacity < 1 || residualCapacity < 1) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures + ", capacity = " + capacity
                    + " or residual capacity = " + residualCapacity);
        }
        this.nFeatures = nFeatures;
        this.capacity = capacity;
        this.ring = new double[nFeatures * capacity];
        this.residuals = new float[residualCapacity];
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
        recordForecast(values, source, modelVersion, Double.NaN, null);
    }

    /**
     * @param halfWidth half the width of the next value's prediction interval, NaN for none
     * @param horizon the first feature's forecasts for steps 1..H when H &gt; 1, else null
     */
    public void recordForecast(double[] values, Source source, long modelVersion, double halfWidth, double[] horizon) {
        this.forecast = values.clone();
        this.forecastSource = source;
        this.forecastModelVersion = modelVersion;
        this.halfWidth = halfWidth;
        this.horizon = horizon;
        this.stepHalfWidths = null;
    }

    public void clearForecast() {
        this.forecast = null;
        this.forecastSource = Source.NONE;
        this.forecastModelVersion = 0;
        this.halfWidth = Double.NaN;
        this.horizon = null;
        this.stepHalfWidths = null;
    }

    // ---- the model's judgement against naive, for the fallback ----

    /** Starts judging model {@code version} afresh, from its held-out errors when it has any. */
    public void judge(long version, long points, double modelMae, double naiveMae, double alpha) {
        judgedVersion = version;
        judgedModelError = 0;
        judgedNaiveError = 0;
        judgedDampedError = 0;
        judgedWeight = 0;
        judgedPoints = 0;
        if (points > 0 && Double.isFinite(modelMae) && Double.isFinite(naiveMae)) {
            // what an exponentially weighted mean would hold after `points` errors of these means
            double w = 1 - Math.pow(1 - alpha, points);
            judgedModelError = modelMae * w;
            judgedNaiveError = naiveMae * w;
            // unknown on held-out points; at most the mean of the two (triangle inequality)
            judgedDampedError = (modelMae + naiveMae) / 2 * w;
            judgedWeight = w;
            judgedPoints = points;
        }
    }

    /** Records the model's own forecast of the next value (NaN for none). */
    public void recordModelForecast(double value) {
        modelForecast = value;
    }

    /** Scores the model's own previous forecast against {@code actual}; call before {@link #append}. */
    public void scoreModel(double actual, double alpha) {
        if (judgedVersion == 0 || Double.isNaN(modelForecast) || size == 0) {
            return;
        }
        double e = Math.abs(actual - modelForecast);
        double n = Math.abs(actual - value(size - 1, 0));
        judgedModelError = (1 - alpha) * judgedModelError + alpha * (Double.isFinite(e) ? e : Double.MAX_VALUE);
        judgedNaiveError = (1 - alpha) * judgedNaiveError + alpha * n;
        double last = value(size - 1, 0);
        double d = Math.abs(actual - (last + DAMPING * (modelForecast - last)));
        judgedDampedError = (1 - alpha) * judgedDampedError + alpha * (Double.isFinite(d) ? d : Double.MAX_VALUE);
        judgedWeight = (1 - alpha) * judgedWeight + alpha;
        judgedPoints++;
    }

    public long judgedVersion() {
        return judgedVersion;
    }

    public long judgedPoints() {
        return judgedPoints;
    }

    /** Recent MAE of the current model's own forecasts (held-out, then online), NaN before any. */
    public double judgedModelMae() {
        return judgedWeight > 0 ? judgedModelError / judgedWeight : Double.NaN;
    }

    /** Recent MAE of the damped forecast ({@link #DAMPING}) on the same points. */
    public double judgedDampedMae() {
        return judgedWeight > 0 ? judgedDampedError / judgedWeight : Double.NaN;
    }

    /** Recent MAE of the naive forecast on the same points. */
    public double judgedNaiveMae() {
        return judgedWeight > 0 ? judgedNaiveError / judgedWeight : Double.NaN;
    }

    public boolean fallback() {
        return fallback;
    }

    public void fallback(boolean on) {
        if (on && !fallback) {
            fallbacks++;
        }
        fallback = on;
    }

    /** Whether the key serves its model's forecast change damped ({@link #DAMPING}), because that did best recently. */
    public boolean damped() {
        return damped;
    }

    public void damped(boolean on) {
        damped = on;
    }

    /** How often this key fell back to naive. */
    public long fallbacks() {
        return fallbacks;
    }

    // ---- prediction intervals ----

    public void addResidual(double absError) {
        float e = (float) Math.min(absError, Float.MAX_VALUE);
        boolean full = residualCount == residuals.length;
        float evicted = residuals[residualHead];
        if (!full) {
            residuals[(residualHead + residualCount++) % residuals.length] = e;
        } else {
            residuals[residualHead] = e;
            residualHead = (residualHead + 1) % residuals.length;
        }
        if (sortedResiduals != null) { // out with the oldest, in with the new: two binary searches, two short copies
            int n = full ? residualCount : residualCount - 1;
            if (full) {
                int i = java.util.Arrays.binarySearch(sortedResiduals, 0, n, evicted);
                System.arraycopy(sortedResiduals, i + 1, sortedResiduals, i, n - i - 1);
                n--;
            }
            int j = java.util.Arrays.binarySearch(sortedResiduals, 0, n, e);
            j = j < 0 ? -j - 1 : j;
            System.arraycopy(sortedResiduals, j, sortedResiduals, j + 1, n - j);
            sortedResiduals[j] = e;
        }
    }

    /** The {@code k}-th smallest (0-based) of the recent errors: a lookup, as they are kept sorted. */
    public float residual(int k) {
        if (k < 0 || k >= residualCount) {
            throw new IndexOutOfBoundsException("Error " + k + " of " + residualCount);
        }
        if (sortedResiduals == null) {
            sortedResiduals = new float[residuals.length];
            System.arraycopy(residuals, 0, sortedResiduals, 0, residualCount);
            java.util.Arrays.sort(sortedResiduals, 0, residualCount);
        }
        return sortedResiduals[k];
    }

    public int residualCount() {
        return residualCount;
    }

    public double missLevel() {
        return missLevel;
    }

    public void missLevel(double level) {
        this.missLevel = level;
    }

    /** Half the width of the latest forecast's interval, NaN when it has none. */
    public double halfWidth() {
        return halfWidth;
    }

    /** The half-widths of the latest horizon's steps, null when it has none. */
    public double[] stepHalfWidths() {
        return stepHalfWidths == null ? null : stepHalfWidths.clone();
    }

    public void stepHalfWidths(double[] widths) {
        this.stepHalfWidths = widths;
    }

    /**
     * Scores every earlier horizon's forecast of {@code actual} (the forecast made k observations
     * ago for step k): updates the step's mean absolute error and tracks the {@code 1 - miss}
     * quantile of its absolute errors (each miss raises the estimate by {@code rate × (1 - miss)}
     * of the step's mean error, each hit lowers it by {@code rate × miss} of it, so that in the long
     * run a share {@code miss} of the errors lies above it); call before {@link #append}.
     */
    public void scoreSteps(double actual, int h, double alpha, double miss, double rate) {
        ensureSteps(h);
        long next = observations + 1; // the observation count once actual is appended
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

    /** Remembers the horizon just made (after {@link #append}), or that none was (null). */
    public void recordHorizon(double[] values, int h) {
        ensureSteps(h);
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

    private void ensureSteps(int h) {
        if (pastHorizons == null || stepError.length != h) { // first use, or the horizon setting changed
            pastHorizons = new double[h * h];
            java.util.Arrays.fill(pastHorizons, Double.NaN);
            stepError = new double[h];
            stepWeight = new double[h];
            stepQuantile = new double[h];
            java.util.Arrays.fill(stepQuantile, Double.NaN);
        }
    }

    /** The latest forecast's steps 1..H (first feature) when H &gt; 1, else null. */
    public double[] horizon() {
        return horizon == null ? null : horizon.clone();
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

    /**
     * The size of a record of a state with the given counts; with the largest counts of a setting,
     * the largest record it can write (checked against Kafka's request size at startup).
     */
    public static long encodedBytes(int nFeatures, int forecastValues, int horizon, int residuals, int stepWidths, int stepStatistics, int rows) {
        long sc = stepStatistics;
        return 4 + 4 + 4 + 4 + 8 + 8 + 1 + 8 + 8L * forecastValues + 8 * 3 + 8
                + 8 + 8 + 8 * 4 + 8 + 1 + 8 + 8 + 8 + 4 + 8L * horizon + 4 + 4L * residuals + 4 + 8L * stepWidths + 4 + 8 * (sc * sc + 3 * sc)
                + 8L * rows * nFeatures;
    }

    /** The largest record a key's state can be with these settings. */
    public static long maxEncodedBytes(int nFeatures, int historySize, int residualCapacity, int horizon) {
        int h = horizon > 1 ? horizon : 0;
        return encodedBytes(nFeatures, nFeatures, h, residualCapacity, h, h, historySize);
    }

    public byte[] toBytes() {
        int fc = forecast == null ? 0 : nFeatures;
        int hc = horizon == null ? 0 : horizon.length;
        int sc = stepError == null ? 0 : stepError.length; // horizon setting of the step statistics
        int wc = stepHalfWidths == null ? 0 : stepHalfWidths.length;
        // little-endian, the CPU's own order: the history is copied in bulk, without swapping bytes
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(encodedBytes(nFeatures, fc, hc, residualCount, wc, sc, size)))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(nFeatures).putInt(capacity).putInt(size).putLong(observations).putLong(lastTimestamp);
        b.put((byte) (forecast == null ? Source.NONE : forecastSource).ordinal()).putLong(forecastModelVersion);
        for (int f = 0; f < fc; f++) {
            b.putDouble(forecast[f]);
        }
        b.putDouble(modelError).putDouble(naiveError).putDouble(errorWeight).putLong(scored);
        b.putDouble(modelForecast).putLong(judgedVersion).putDouble(judgedModelError).putDouble(judgedNaiveError).putDouble(judgedDampedError)
                .putDouble(judgedWeight).putLong(judgedPoints).put((byte) ((fallback ? 1 : 0) | (damped ? 2 : 0))).putLong(fallbacks);
        b.putDouble(missLevel).putDouble(halfWidth).putInt(hc);
        for (int i = 0; i < hc; i++) {
            b.putDouble(horizon[i]);
        }
        b.putInt(residualCount);
        for (int i = 0; i < residualCount; i++) { // oldest first
            b.putFloat(residuals[(residualHead + i) % residuals.length]);
        }
        b.putInt(wc);
        for (int i = 0; i < wc; i++) {
            b.putDouble(stepHalfWidths[i]);
        }
        b.putInt(sc);
        for (int i = 0; i < sc * sc; i++) {
            b.putDouble(pastHorizons[i]);
        }
        for (int i = 0; i < sc; i++) {
            b.putDouble(stepError[i]).putDouble(stepWeight[i]).putDouble(stepQuantile[i]);
        }
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
        return fromBytes(bytes, nFeatures, capacity, DEFAULT_RESIDUALS);
    }

    public static SeriesState fromBytes(byte[] bytes, int nFeatures, int capacity, int residualCapacity) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int magic = b.getInt();
            if (magic != MAGIC && magic != MAGIC_V1) {
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
            SeriesState s = new SeriesState(nf, capacity, residualCapacity);
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
            double halfWidth = Double.NaN;
            double[] horizon = null;
            double[] stepWidths = null;
            if (magic == MAGIC) {
                s.modelForecast = b.getDouble();
                s.judgedVersion = b.getLong();
                s.judgedModelError = b.getDouble();
                s.judgedNaiveError = b.getDouble();
                s.judgedDampedError = b.getDouble();
                s.judgedWeight = b.getDouble();
                s.judgedPoints = b.getLong();
                byte flags = b.get();
                s.fallback = (flags & 1) != 0;
                s.damped = (flags & 2) != 0;
                s.fallbacks = b.getLong();
                s.missLevel = b.getDouble();
                halfWidth = b.getDouble();
                int hc = b.getInt();
                if (hc < 0 || hc > bytes.length / 8) {
                    throw new IllegalArgumentException("Series state record has invalid horizon " + hc);
                }
                if (hc > 0) {
                    horizon = new double[hc];
                    for (int i = 0; i < hc; i++) {
                        horizon[i] = b.getDouble();
                    }
                }
                int rc = b.getInt();
                if (rc < 0 || rc > bytes.length / 4) {
                    throw new IllegalArgumentException("Series state record has invalid residual count " + rc);
                }
                for (int i = 0; i < rc; i++) {
                    s.addResidual(b.getFloat()); // the newest that fit are kept
                }
                int wc = b.getInt();
                if (wc < 0 || wc > bytes.length / 8) {
                    throw new IllegalArgumentException("Series state record has invalid step count " + wc);
                }
                if (wc > 0) {
                    stepWidths = new double[wc];
                    for (int i = 0; i < wc; i++) {
                        stepWidths[i] = b.getDouble();
                    }
                }
                int sc = b.getInt();
                if (sc < 0 || (long) sc * sc > bytes.length / 8) {
                    throw new IllegalArgumentException("Series state record has invalid horizon statistics " + sc);
                }
                if (sc > 0) {
                    s.ensureSteps(sc);
                    for (int i = 0; i < sc * sc; i++) {
                        s.pastHorizons[i] = b.getDouble();
                    }
                    for (int i = 0; i < sc; i++) {
                        s.stepError[i] = b.getDouble();
                        s.stepWeight[i] = b.getDouble();
                        s.stepQuantile[i] = b.getDouble();
                    }
                }
            }
            int skip = Math.max(0, size - capacity);
            b.position(b.position() + skip * nf * 8);
            b.asDoubleBuffer().get(s.ring, 0, (size - skip) * nf);
            s.head = 0;
            s.size = size - skip;
            s.observations = observations;
            s.lastTimestamp = lastTimestamp;
            if (forecast != null) {
                s.recordForecast(forecast, source, version, halfWidth, horizon);
                s.stepHalfWidths = stepWidths;
            }
            return s;
        } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Series state record is truncated or corrupt", e);
        }
    }
}
