package io.streamforecaster.tools.nab;

/** Published NAB detectors replayed per record, so that NAB's published per-file results can be checked against our scorer. */
final class ReferenceDetectors {

    private ReferenceDetectors() {
    }

    /**
     * NAB's {@code windowedGaussian}: {@code 1 - Q(|x - mean| / std)} over the previous values, the
     * window growing to 6,400 values and then moving 100 values at a time (its mean and standard
     * deviation recomputed whenever it changes).
     */
    static double[] windowedGaussian(double[] x) {
        final int size = 6400;
        final int step = 100;
        double[] out = new double[x.length];
        double[] window = new double[size];
        int count = 0;
        int buffered = 0;
        double mean = 0;
        double std = 1;
        for (int i = 0; i < x.length; i++) {
            if (count > 0) {
                double v = x[i] < mean ? 2 * mean - x[i] : x[i];
                double z = (v - mean) / std;
                out[i] = 1 - 0.5 * Erf.erfc(z / Math.sqrt(2));
            }
            boolean changed = false;
            if (count < size) {
                window[count++] = x[i];
                changed = true;
            } else if (++buffered == step) {
                // the window moves: the oldest 100 out, the 100 buffered (x[i-99..i]) in
                System.arraycopy(window, step, window, 0, size - step);
                System.arraycopy(x, i - step + 1, window, size - step, step);
                buffered = 0;
                changed = true;
            }
            if (changed) {
                double sum = 0;
                for (int k = 0; k < count; k++) {
                    sum += window[k];
                }
                mean = sum / count;
                double sq = 0;
                for (int k = 0; k < count; k++) {
                    sq += (window[k] - mean) * (window[k] - mean);
                }
                std = Math.sqrt(sq / count);
                if (std == 0.0) {
                    std = 0.000001;
                }
            }
        }
        return out;
    }

    /** NAB's {@code random}: {@code random.seed(42)} for each file, then {@code random.uniform(0, 1)} per record. */
    static double[] random(int n) {
        PythonRandom r = new PythonRandom(42);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.random();
        }
        return out;
    }
}
