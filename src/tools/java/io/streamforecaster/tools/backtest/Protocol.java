package io.streamforecaster.tools.backtest;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The streaming one-step protocol of the shared ACCURACY.md: the series' last 4,096 points;
 * warm-up {@code W = min(256, N / 3)} never scored; for every {@code t} in {@code [W, N)},
 * {@code x[t]} forecast from {@code x[<t]}; a refit at most every 64 steps on at most the last 512
 * points, the first at {@code t = W}.
 */
public final class Protocol {

    public static final int MAX_POINTS = 4096;
    public static final int MAX_WARMUP = 256;
    public static final int REFIT_EVERY = 64;
    public static final int FIT_WINDOW = 512;

    private Protocol() {
    }

    /** The points the protocol scores on: the whole series, or its last 4,096. */
    public static double[] points(double[] series) {
        return series.length <= MAX_POINTS ? series.clone() : Arrays.copyOfRange(series, series.length - MAX_POINTS, series.length);
    }

    public static int warmup(int n) {
        return Math.min(MAX_WARMUP, n / 3);
    }

    /**
     * Runs {@code model} over {@code x} (already cut by {@link #points}).
     *
     * @param refitDone told the number of each refit as it finishes, for progress
     * @return the forecasts of {@code x[W..N)}
     */
    public static double[] run(double[] x, OnlineModel model, IntConsumer refitDone) {
        return execute(x, model, refitDone).forecasts();
    }

    /**
     * What a run gave for the scored points {@code x[W..N)}.
     *
     * @param halfWidths half-widths of the forecasts' prediction intervals (NaN where none)
     * @param horizons each forecast's steps 1..H, or null when the model gives one step only
     * @param horizonHalfWidths their half-widths where the model gives them, else null
     */
    public record Run(double[] forecasts, double[] halfWidths, double[][] horizons, double[][] horizonHalfWidths) {
    }

    /** Runs {@code model} over {@code x} (already cut by {@link #points}), keeping intervals and horizons. */
    public static Run execute(double[] x, OnlineModel model, IntConsumer refitDone) {
        return execute(x, model, REFIT_EVERY, refitDone);
    }

    /**
     * As {@link #execute(double[], OnlineModel, IntConsumer)} with a refit every {@code refitEvery}
     * steps, or, for a model retrained by need ({@link OnlineModel#refitDue}), the first refit at the
     * warm-up's end and then whenever it asks.
     */
    public static Run execute(double[] x, OnlineModel model, int refitEvery, IntConsumer refitDone) {
        int n = x.length;
        int w = warmup(n);
        if (w < 1) {
            throw new IllegalArgumentException("series of " + n + " points is too short for the protocol (at least 3: a warm-up point and two to score)");
        }
        double[] forecasts = new double[n - w];
        double[] halfWidths = new double[n - w];
        double[][] horizons = null;
        double[][] widths = null;
        int refits = 0;
        for (int t = w; t < n; t++) {
            Boolean due = t == w ? Boolean.TRUE : model.refitDue(x, t);
            if (due == null ? (t - w) % refitEvery == 0 : due) {
                model.refit(x, t);
                refitDone.accept(++refits);
            }
            forecasts[t - w] = model.forecast(x, t);
            halfWidths[t - w] = model.halfWidth();
            double[] h = model.horizon();
            if (h != null) {
                if (horizons == null) {
                    horizons = new double[n - w][];
                }
                horizons[t - w] = h;
                double[] hw = model.horizonHalfWidths();
                if (hw != null) {
                    if (widths == null) {
                        widths = new double[n - w][];
                    }
                    widths[t - w] = hw;
                }
            }
        }
        return new Run(forecasts, halfWidths, horizons, widths);
    }

    /** The points a refit at time {@code t} trains on: at most the last 512 before {@code t}. */
    public static double[] fitWindow(double[] x, int t) {
        return Arrays.copyOfRange(x, Math.max(0, t - FIT_WINDOW), t);
    }

    /** How many refits {@link #run} makes on a series of {@code n} points. */
    public static int refits(int n) {
        int scored = n - warmup(n);
        return (scored + REFIT_EVERY - 1) / REFIT_EVERY;
    }
}
