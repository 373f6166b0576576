package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * Reads the state records of earlier builds into today's parts: {@code SFS1} (history, latest
 * forecast, online accuracy) and {@code SFS2} (also the judgement, interval errors and horizon
 * statistics), one flat little-endian layout each, without a checksum.
 */
final class LegacyStateFormat {

    static final int MAGIC_V1 = 0x53465331; // "SFS1": before champion/challenger and intervals
    static final int MAGIC_V2 = 0x53465332; // "SFS2"

    private LegacyStateFormat() {
    }

    /** @param b positioned after the magic */
    static SeriesState read(ByteBuffer b, int magic, int length, int nFeatures, int capacity, int residualCapacity) {
        int nf = b.getInt();
        b.getInt(); // stored capacity: the configured one wins
        int size = b.getInt();
        if (nf != nFeatures) {
            return null;
        }
        if (size < 0 || (long) size * nf * 8 > length) {
            throw new IllegalArgumentException("Series state record has invalid size " + size);
        }
        long observations = b.getLong();
        long lastTimestamp = b.getLong();
        int s = b.get();
        if (s < 0 || s >= Source.values().length) {
            throw new IllegalArgumentException("Series state record has an unknown forecast source " + s);
        }
        Source source = Source.values()[s];
        long version = b.getLong();
        double[] forecast = null;
        if (source != Source.NONE) {
            forecast = new double[nf];
            for (int f = 0; f < nf; f++) {
                forecast[f] = b.getDouble();
            }
        }
        Accuracy accuracy = new Accuracy();
        accuracy.servedError = b.getDouble();
        accuracy.naiveError = b.getDouble();
        accuracy.weight = b.getDouble();
        accuracy.scored = b.getLong();
        Judgement judgement = new Judgement();
        IntervalErrors interval = new IntervalErrors(residualCapacity);
        HorizonErrors horizonErrors = new HorizonErrors();
        double halfWidth = Double.NaN;
        double[] horizon = null;
        double[] stepWidths = null;
        if (magic == MAGIC_V2) {
            judgement.modelForecast = b.getDouble();
            judgement.version = b.getLong();
            judgement.modelError = b.getDouble();
            judgement.naiveError = b.getDouble();
            judgement.dampedError = b.getDouble();
            judgement.weight = b.getDouble();
            judgement.points = b.getLong();
            byte flags = b.get();
            judgement.fallback = (flags & 1) != 0;
            judgement.damped = (flags & 2) != 0;
            judgement.fallbacks = b.getLong();
            interval.missLevel(b.getDouble());
            halfWidth = b.getDouble();
            horizon = doubles(b, length, "horizon");
            interval.restore(b, b.getInt());
            stepWidths = doubles(b, length, "step count");
            int sc = b.getInt();
            horizonErrors.restore(b, sc);
        }
        History history = History.restore(b, nf, capacity, size, observations, lastTimestamp);
        LatestForecast latest = new LatestForecast();
        if (forecast != null) {
            latest.record(forecast, source, version, halfWidth, horizon);
            latest.stepHalfWidths(stepWidths);
        }
        return new SeriesState(history, accuracy, judgement, interval, horizonErrors, latest);
    }

    private static double[] doubles(ByteBuffer b, int length, String what) {
        int n = b.getInt();
        if (n < 0 || n > length / 8) {
            throw new IllegalArgumentException("Series state record has invalid " + what + " " + n);
        }
        if (n == 0) {
            return null;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.getDouble();
        }
        return out;
    }
}
