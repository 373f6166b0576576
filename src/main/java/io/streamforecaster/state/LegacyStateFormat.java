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
    static SeriesState read(ByteBuffer b, int magic, int length, int nFeatures, int capacity, int residualCapacity, int servedPoints) {
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
        Judgement judgement = magic == MAGIC_V2 ? Judgement.fields(b) : new Judgement();
        IntervalErrors interval = new IntervalErrors(residualCapacity);
        HorizonErrors horizonErrors = new HorizonErrors();
        double halfWidth = Double.NaN;
        double[] horizon = null;
        double[] stepWidths = null;
        if (magic == MAGIC_V2) {
            interval.missLevel(b.getDouble());
            halfWidth = b.getDouble();
            horizon = LatestForecast.array(b);
            interval.restore(b, b.getInt());
            stepWidths = LatestForecast.array(b);
            int sc = b.getInt();
            horizonErrors.restore(b, sc);
        }
        History history = History.restore(b, nf, capacity, size, observations, lastTimestamp);
        LatestForecast latest = new LatestForecast();
        if (forecast != null) {
            latest.record(forecast, source, version, halfWidth, horizon);
            latest.stepHalfWidths(stepWidths);
        }
        return new SeriesState(history, accuracy, judgement, interval, horizonErrors, latest, new Drift(), new ServedForecasts(servedPoints));
    }
}
