package io.streamforecaster.tools.backtest;

/** A forecaster under the streaming protocol: refit now and then, forecast one step at every point. */
public interface OnlineModel {

    String name();

    /** Refits at time {@code t} on {@link Protocol#fitWindow}{@code (x, t)}, the newest points before {@code t}. */
    void refit(double[] x, int t);

    /** Forecasts {@code x[t]} from {@code x[0..t)} only. */
    double forecast(double[] x, int t);

    /** Half the width of the prediction interval of the last forecast, NaN when it has none. */
    default double halfWidth() {
        return Double.NaN;
    }

    /** The last forecast's steps 1..H, when the model forecasts several steps ahead; else null. */
    default double[] horizon() {
        return null;
    }

    /** The half-widths of the last horizon's steps, or null (then step k's is step 1's × √k). */
    default double[] horizonHalfWidths() {
        return null;
    }

    /**
     * For a model retrained by need (as the service schedules keys: drift, fallback, age) rather
     * than at the protocol's fixed cadence: whether it wants a refit at {@code t}, having seen
     * {@code x[0..t)}. Null for a model on the fixed cadence.
     */
    default Boolean refitDue(double[] x, int t) {
        return null;
    }

    /** Refits that trained a model so far (-1 for models that do not train). */
    default int trainings() {
        return -1;
    }
}
