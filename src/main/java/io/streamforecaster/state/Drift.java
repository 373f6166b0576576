package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * Whether a key's model has drifted: a Page-Hinkley test on its one-step errors relative to
 * naive's ({@link DriftSettings}), O(1) per observation and a few bytes. It follows one check of
 * the model (its install, or its last defence against a challenger) and starts again at the next.
 */
public final class Drift implements StatePart {

    static final int TAG = 7;
    private static final byte VERSION = 1;

    /** The model check (its {@code checkedAt}) the test follows; 0 for none. */
    private long following;
    private long points;
    private double mean;
    private double excess;
    private double minimum;
    private boolean drifting;
    private long detections;
    /** The key's observation count when the current drift was declared; 0 while none. */
    private long since;

    /** What one observation did to the test. */
    public enum Change { NONE, DETECTED }

    /**
     * Adds one relative error of the model's own forecast.
     *
     * @param modelCheck the current model's {@code checkedAt}: another one starts the test afresh
     * @param relativeError the model's absolute error over naive's recent mean error; NaN to skip the point
     * @param observations the key's observation count, for when a drift was declared
     */
    public Change observe(long modelCheck, double relativeError, long observations, DriftSettings s) {
        if (modelCheck != following) {
            restart(modelCheck);
        }
        if (!s.enabled() || Double.isNaN(relativeError)) {
            return Change.NONE;
        }
        double x = Math.min(relativeError, s.clip());
        points++;
        mean += (x - mean) / points;
        excess += x - mean - s.delta();
        minimum = Math.min(minimum, excess);
        if (!drifting && points >= s.minPoints() && excess - minimum > s.threshold()) {
            drifting = true;
            detections++;
            since = observations;
            return Change.DETECTED;
        }
        return Change.NONE;
    }

    private void restart(long modelCheck) {
        following = modelCheck;
        points = 0;
        mean = 0;
        excess = 0;
        minimum = 0;
        drifting = false;
        since = 0;
    }

    /** Whether the model drifted since its last check: it is due for retraining before others. */
    public boolean drifting() {
        return drifting;
    }

    /** Drifts declared for this key so far. */
    public long detections() {
        return detections;
    }

    /** The observation count at which the current drift was declared; 0 while none. */
    public long since() {
        return since;
    }

    /** Page-Hinkley's statistic now: how far the cumulative excess is above its minimum. */
    public double statistic() {
        return excess - minimum;
    }

    public long points() {
        return points;
    }

    @Override
    public int tag() {
        return TAG;
    }

    @Override
    public int encodedBytes() {
        return 1 + 8 + 8 + 8 * 3 + 1 + 8 + 8;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putLong(following).putLong(points).putDouble(mean).putDouble(excess).putDouble(minimum)
                .put((byte) (drifting ? 1 : 0)).putLong(detections).putLong(since);
    }

    static Drift read(ByteBuffer b) {
        SeriesStateFormat.version(b, VERSION, "drift");
        Drift d = new Drift();
        d.following = b.getLong();
        d.points = b.getLong();
        d.mean = b.getDouble();
        d.excess = b.getDouble();
        d.minimum = b.getDouble();
        d.drifting = b.get() != 0;
        d.detections = b.getLong();
        d.since = b.getLong();
        return d;
    }
}
