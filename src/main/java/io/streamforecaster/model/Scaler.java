package io.streamforecaster.model;

import java.util.Arrays;

/**
 * Per-feature scaling fitted on one key's training history and stored with its model. The
 * network sees each window relative to its own last row, in units of the series' typical
 * one-step change ({@link #std()}): a window and its target look the same at any level, so a
 * trend or a level shift never takes the inputs outside what the network was trained on, and
 * every series, whatever its units, reaches the network at unit scale.
 *
 * <p>A model shared by many keys ({@code forecaster.model.scope=shared}) cannot carry one key's
 * scale: its scaler is {@link #perWindow()}, and each window is scaled by its own root-mean-square
 * one-step change instead (instance normalisation), so a key unseen in training is scaled right.
 *
 * @param mean per-feature mean of the history (kept for inspection)
 * @param std per-feature scale: the standard deviation of one-step changes, or of the values
 *     where the changes do not vary, or 1 for a constant feature
 * @param perWindow whether each window is scaled by its own changes instead of {@code std}
 */
public record Scaler(double[] mean, double[] std, boolean perWindow) {

    public Scaler(double[] mean, double[] std) {
        this(mean, std, false);
    }

    /** The scaler of a shared model: every window scaled by its own changes. */
    public static Scaler perWindow(int features) {
        double[] mean = new double[features];
        double[] std = new double[features];
        Arrays.fill(std, 1.0);
        return new Scaler(mean, std, true);
    }

    public Scaler {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Invalid scaler: " + mean.length + " means, " + std.length + " deviations");
        }
        for (int f = 0; f < std.length; f++) {
            if (!Double.isFinite(mean[f]) || !Double.isFinite(std[f]) || std[f] <= 0) {
                throw new IllegalArgumentException("Invalid scaler for feature " + f + ": mean " + mean[f] + ", std " + std[f]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Fits the scale per feature on a history of rows, oldest first. */
    public static Scaler fit(double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("Cannot fit a scaler on no rows");
        }
        int nf = rows[0].length;
        double[] mean = new double[nf];
        double[] std = new double[nf];
        for (int f = 0; f < nf; f++) {
            double[] values = new double[rows.length];
            double[] changes = new double[Math.max(0, rows.length - 1)];
            for (int i = 0; i < rows.length; i++) {
                values[i] = rows[i][f];
                if (i > 0) {
                    changes[i - 1] = rows[i][f] - rows[i - 1][f];
                }
            }
            mean[f] = mean(values);
            // relative to the level, not to 1: a series in small units (1e-12) is scaled by its own changes
            // too, and one at a huge level (1e100) by changes far below its level's precision would need
            // (double's is about 1e-16 of it)
            double tiny = 1e-13 * Math.abs(mean[f]) + 1e-300;
            double s = deviation(changes);
            if (!(s > tiny)) {
                s = deviation(values);
            }
            // a constant feature: 1, or a millionth of a billionth of its level when that is more, so that a
            // later move of a series at 1e100 does not reach the network as 1e90 (Infinity as a float)
            std[f] = s > tiny ? s : Math.max(1.0, 1e-9 * Math.abs(mean[f]));
        }
        return new Scaler(mean, std);
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return v.length == 0 ? 0 : sum / v.length;
    }

    private static double deviation(double[] v) {
        if (v.length == 0) {
            return 0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        if (ss < Double.MIN_NORMAL * v.length) { // squares this small lost their digits or vanished (changes below 1e-154): rescale first
            double a = 0;
            for (double x : v) {
                a = Math.max(a, Math.abs(x - m));
            }
            if (a == 0) {
                return 0;
            }
            double scaled = 0;
            for (double x : v) {
                scaled += ((x - m) / a) * ((x - m) / a);
            }
            return a * Math.sqrt(scaled / v.length);
        }
        return Math.sqrt(ss / v.length);
    }

    /** The per-feature scale for {@code window}: {@link #std()}, or the window's own for a per-window scaler. */
    public double[] scales(double[][] window) {
        if (!perWindow) {
            return std;
        }
        int nf = std.length;
        double[] s = new double[nf];
        for (int f = 0; f < nf; f++) {
            double ss = 0;
            for (int t = 1; t < window.length; t++) {
                double d = window[t][f] - window[t - 1][f];
                ss += d * d;
            }
            double rms = window.length > 1 ? Math.sqrt(ss / (window.length - 1)) : 0;
            double tiny = 1e-6 * Math.abs(window[window.length - 1][f]) + 1e-300; // relative to the level: small units scale too
            s[f] = rms > tiny ? rms : tiny; // a flat window: inputs are 0 and the forecast stays at its level
        }
        return s;
    }

    /** A window as the network sees it: each row minus the window's last row, over the scale. */
    public double[][] scaleWindow(double[][] window) {
        double[] last = window[window.length - 1];
        double[] s = scales(window);
        double[][] out = new double[window.length][last.length];
        for (int t = 0; t < window.length; t++) {
            for (int f = 0; f < last.length; f++) {
                out[t][f] = (window[t][f] - last[f]) / s[f];
            }
        }
        return out;
    }

    /** {@link #scaleWindow} in the network's float precision, in one pass: what the hot path feeds it. */
    public float[][] scaleWindowToFloats(double[][] window) {
        return scaleWindowToFloats(window, scales(window));
    }

    /** {@link #scaleWindowToFloats} with the window's scales already at hand ({@link #scales}). */
    float[][] scaleWindowToFloats(double[][] window, double[] s) {
        double[] last = window[window.length - 1];
        float[][] out = new float[window.length][last.length];
        for (int t = 0; t < window.length; t++) {
            for (int f = 0; f < last.length; f++) {
                out[t][f] = (float) ((window[t][f] - last[f]) / s[f]);
            }
        }
        return out;
    }

    /** The network's target for the row after {@code window}. */
    public double[] scaleTarget(double[][] window, double[] next) {
        double[] last = window[window.length - 1];
        double[] s = scales(window);
        double[] out = new double[next.length];
        for (int f = 0; f < next.length; f++) {
            out[f] = (next[f] - last[f]) / s[f];
        }
        return out;
    }

    /** The forecast in the series' units from the network's output for {@code window}. */
    public double[] unscale(double[][] window, double[] output) {
        return unscale(window, output, scales(window));
    }

    /** {@link #unscale} with the window's scales already at hand ({@link #scales}). */
    double[] unscale(double[][] window, double[] output, double[] s) {
        double[] last = window[window.length - 1];
        double[] out = new double[output.length];
        for (int f = 0; f < output.length; f++) {
            out[f] = last[f] + output[f] * s[f];
        }
        return out;
    }

    public int features() {
        return mean.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scaler s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std) && perWindow == s.perWindow;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(std)) + Boolean.hashCode(perWindow);
    }

    @Override
    public String toString() {
        return "Scaler[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + (perWindow ? ", per window" : "") + "]";
    }
}
