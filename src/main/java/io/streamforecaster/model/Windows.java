package io.streamforecaster.model;

/**
 * The seed's {@code split_sequence}: every full window of {@code nSteps} rows and the row after it.
 *
 * @param x {@code x[i][t][f] = seq[i + t][f]}
 * @param y {@code y[i][f] = seq[i + nSteps][f]}
 */
public record Windows(double[][][] x, double[][] y) {

    public int count() {
        return y.length;
    }

    /** Windows over a series of rows (one row = the features of one observation). */
    public static Windows split(double[][] sequence, int nSteps) {
        if (nSteps < 1) {
            throw new IllegalArgumentException("Invalid nSteps = " + nSteps);
        }
        int n = Math.max(0, sequence.length - nSteps);
        double[][][] x = new double[n][nSteps][];
        double[][] y = new double[n][];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < nSteps; t++) {
                x[i][t] = sequence[i + t].clone();
            }
            y[i] = sequence[i + nSteps].clone();
        }
        return new Windows(x, y);
    }

    /** Windows over a univariate series. */
    public static Windows split(double[] sequence, int nSteps) {
        double[][] rows = new double[sequence.length][];
        for (int i = 0; i < sequence.length; i++) {
            rows[i] = new double[] {sequence[i]};
        }
        return split(rows, nSteps);
    }
}
