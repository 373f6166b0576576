package io.streamforecaster.model;

import java.util.Arrays;

/**
 * Per-feature z-scaling fitted on one key's training history and stored with its model, so that
 * every series, whatever its units, reaches the network at unit scale.
 */
public record Scaler(double[] mean, double[] std) {

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

    /** Fits mean and standard deviation per feature; a constant feature gets deviation 1. */
    public static Scaler fit(double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("Cannot fit a scaler on no rows");
        }
        int nf = rows[0].length;
        double[] mean = new double[nf];
        double[] std = new double[nf];
        for (int f = 0; f < nf; f++) {
            double sum = 0;
            for (double[] r : rows) {
                sum += r[f];
            }
            double m = sum / rows.length;
            double ss = 0;
            for (double[] r : rows) {
                ss += (r[f] - m) * (r[f] - m);
            }
            double s = Math.sqrt(ss / rows.length);
            mean[f] = m;
            std[f] = s > 1e-9 * Math.max(1.0, Math.abs(m)) ? s : 1.0;
        }
        return new Scaler(mean, std);
    }

    public int features() {
        return mean.length;
    }

    public double scale(double value, int feature) {
        return (value - mean[feature]) / std[feature];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scaler s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Scaler[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
