package io.streamforecaster.model;

/**
 * A training run's scaled windows and targets in float, converted once: what the Java engine
 * reads on every epoch.
 *
 * @param x {@code [windows][steps][features]}
 * @param y {@code [windows][features]}
 */
record TrainingBatch(float[][][] x, float[][] y) {

    TrainingBatch {
        if (x.length == 0 || y.length != x.length) {
            throw new IllegalArgumentException("Need as many targets as windows, at least one: " + x.length + " windows, " + y.length + " targets");
        }
    }

    int windows() {
        return x.length;
    }

    int steps() {
        return x[0].length;
    }

    int features() {
        return y[0].length;
    }

    /**
     * @param windows scaled windows {@code [n][steps][features]}, as {@link Trainer} makes them
     * @param targets {@code [n][features]}
     */
    static TrainingBatch of(double[][][] windows, float[][] targets) {
        float[][][] x = new float[windows.length][][];
        for (int i = 0; i < windows.length; i++) {
            x[i] = new float[windows[i].length][];
            for (int t = 0; t < windows[i].length; t++) {
                double[] row = windows[i][t];
                x[i][t] = new float[row.length];
                for (int f = 0; f < row.length; f++) {
                    x[i][t][f] = (float) row[f];
                }
            }
        }
        return new TrainingBatch(x, targets);
    }
}
