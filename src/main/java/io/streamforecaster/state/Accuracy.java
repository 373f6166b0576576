package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * How the forecasts a key served did, next to the naive last-value forecast on the same points:
 * exponentially weighted mean absolute errors, for the key's online MAE and the metrics.
 */
public final class Accuracy implements StatePart {

    static final int TAG = 2;
    private static final byte VERSION = 1;

    double servedError;
    double naiveError;
    double weight;
    long scored;

    /** One scored forecast: its absolute error and naive's on the same point. */
    public void add(double servedAbs, double naiveAbs, double alpha) {
        servedError = (1 - alpha) * servedError + alpha * servedAbs;
        naiveError = (1 - alpha) * naiveError + alpha * naiveAbs;
        weight = (1 - alpha) * weight + alpha;
        scored++;
    }

    /** Recent MAE of this key's served forecasts, NaN before any was scored. */
    public double onlineMae() {
        return weight > 0 ? servedError / weight : Double.NaN;
    }

    /** Recent MAE of the naive last-value forecast on the same points. */
    public double naiveMae() {
        return weight > 0 ? naiveError / weight : Double.NaN;
    }

    public long scored() {
        return scored;
    }

    @Override
    public int tag() {
        return TAG;
    }

    @Override
    public int encodedBytes() {
        return 1 + 8 * 4;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION).putDouble(servedError).putDouble(naiveError).putDouble(weight).putLong(scored);
    }

    static Accuracy read(ByteBuffer b) {
        SeriesStateFormat.version(b, VERSION, "accuracy");
        Accuracy a = new Accuracy();
        a.servedError = b.getDouble();
        a.naiveError = b.getDouble();
        a.weight = b.getDouble();
        a.scored = b.getLong();
        return a;
    }
}
