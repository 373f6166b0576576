package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * How a key's current model does against naive, and against its own forecast change halved
 * (damped), since it was installed (starting from its held-out errors): what decides whether the
 * key serves the model, the damped forecast or naive (the fallback).
 */
public final class Judgement implements StatePart {

    static final int TAG = 3;
    private static final byte VERSION = 1;
    /** Share of the model's forecast change a damped forecast keeps. */
    public static final double DAMPING = 0.5;

    /** The model's own forecast of the next value (first feature), also while naive is served. */
    double modelForecast = Double.NaN;
    /** The model version this judgement belongs to; 0 for none. */
    long version;
    double modelError;
    double naiveError;
    double dampedError;
    double weight;
    long points;
    boolean fallback;
    boolean damped;
    long fallbacks;

    /** Starts judging model {@code version} afresh, from its held-out errors when it has any. */
    public void judge(long version, long points, double modelMae, double naiveMae, double alpha) {
        this.version = version;
        modelError = 0;
        naiveError = 0;
        dampedError = 0;
        weight = 0;
        this.points = 0;
        if (points > 0 && Double.isFinite(modelMae) && Double.isFinite(naiveMae)) {
            // what an exponentially weighted mean would hold after `points` errors of these means
            double w = 1 - Math.pow(1 - alpha, points);
            modelError = modelMae * w;
            naiveError = naiveMae * w;
            // unknown on held-out points; at most the mean of the two (triangle inequality)
            dampedError = (modelMae + naiveMae) / 2 * w;
            weight = w;
            this.points = points;
        }
    }

    /** Records the model's own forecast of the next value (NaN for none). */
    public void recordModelForecast(double value) {
        modelForecast = value;
    }

    /**
     * Scores the model's own previous forecast, naive's ({@code last}) and the damped one against
     * {@code actual}; nothing while there is no judged model or no forecast of it.
     *
     * @return the model's own absolute error, NaN when it made no forecast
     */
    public double score(double actual, double last, double alpha) {
        if (version == 0 || Double.isNaN(modelForecast)) {
            return Double.NaN;
        }
        double e = Math.abs(actual - modelForecast);
        double n = Math.abs(actual - last);
        modelError = (1 - alpha) * modelError + alpha * (Double.isFinite(e) ? e : Double.MAX_VALUE);
        naiveError = (1 - alpha) * naiveError + alpha * n;
        double d = Math.abs(actual - (last + DAMPING * (modelForecast - last)));
        dampedError = (1 - alpha) * dampedError + alpha * (Double.isFinite(d) ? d : Double.MAX_VALUE);
        weight = (1 - alpha) * weight + alpha;
        points++;
        return e;
    }

    /** The model version being judged; 0 for none. */
    public long version() {
        return version;
    }

    public long points() {
        return points;
    }

    /** Recent MAE of the current model's own forecasts (held-out, then online), NaN before any. */
    public double modelMae() {
        return weight > 0 ? modelError / weight : Double.NaN;
    }

    /** Recent MAE of the damped forecast ({@link #DAMPING}) on the same points. */
    public double dampedMae() {
        return weight > 0 ? dampedError / weight : Double.NaN;
    }

    /** Recent MAE of the naive forecast on the same points. */
    public double naiveMae() {
        return weight > 0 ? naiveError / weight : Double.NaN;
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

    @Override
    public int tag() {
        return TAG;
    }

    @Override
    public int encodedBytes() {
        return 1 + 8 * 7 + 1 + 8;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putDouble(modelForecast).putLong(version).putDouble(modelError).putDouble(naiveError).putDouble(dampedError)
                .putDouble(weight).putLong(points).put((byte) ((fallback ? 1 : 0) | (damped ? 2 : 0))).putLong(fallbacks);
    }

    static Judgement read(ByteBuffer b) {
        SeriesStateFormat.version(b, VERSION, "judgement");
        return fields(b);
    }

    /** The fields, in the order {@link #write} puts them after the version (as SFS2 records held them too). */
    static Judgement fields(ByteBuffer b) {
        Judgement j = new Judgement();
        j.modelForecast = b.getDouble();
        j.version = b.getLong();
        j.modelError = b.getDouble();
        j.naiveError = b.getDouble();
        j.dampedError = b.getDouble();
        j.weight = b.getDouble();
        j.points = b.getLong();
        byte flags = b.get();
        j.fallback = (flags & 1) != 0;
        j.damped = (flags & 2) != 0;
        j.fallbacks = b.getLong();
        return j;
    }
}
