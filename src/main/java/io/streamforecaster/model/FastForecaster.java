package io.streamforecaster.model;

/**
 * The forecast computed from a {@link ModelSnapshot}'s parameters in plain Java, with the same math
 * as DL4J's forward pass (ReLU block input and cell activation, sigmoid gates, the sigmoid taken
 * from a fine table). It costs
 * microseconds where a DL4J {@code output()} call costs about a millisecond, so it is what runs
 * on the stream thread; tests prove both agree.
 */
public final class FastForecaster {

    private FastForecaster() {
    }

    /**
     * Forecasts the row after {@code window}, in the series' own units.
     *
     * @param window the last {@code nSteps} rows, oldest first, each of {@code nFeatures} values
     */
    public static double[] forecast(ModelSnapshot model, double[][] window) {
        if (window.length != model.nSteps()) {
            throw new IllegalArgumentException("Window of " + window.length + " rows, model needs " + model.nSteps());
        }
        Scaler scaler = model.scaler();
        double[] scales = scaler.scales(window); // a shared model's are the window's own: computed once
        return scaler.unscale(window, networkOutput(model, scaler.scaleWindowToFloats(window, scales)), scales);
    }

    /** The network's raw output for an already scaled window: what DL4J's {@code output()} returns. */
    public static double[] networkOutput(ModelSnapshot model, double[][] scaled) {
        float[][] xs = new float[scaled.length][];
        for (int t = 0; t < scaled.length; t++) {
            xs[t] = new float[scaled[t].length];
            for (int f = 0; f < xs[t].length; f++) {
                xs[t][f] = (float) scaled[t][f];
            }
        }
        return networkOutput(model, xs);
    }

    private static double[] networkOutput(ModelSnapshot model, float[][] xs) {
        float[] features = switch (model.variant()) {
            case VANILLA -> lastHidden(model.lstms().get(0), xs, false);
            case STACKED -> lastHidden(model.lstms().get(1), sequence(model.lstms().get(0), xs), false);
            case BIDIRECTIONAL -> concat(
                    lastHidden(model.lstms().get(0), xs, false),
                    lastHidden(model.lstms().get(1), xs, true));
        };
        return dense(model.dense(), features);
    }

    // Float arithmetic like DL4J's own: the inner loops run over contiguous float rows, which the
    // JIT vectorises.
    private static float[] lastHidden(LstmWeights w, float[][] xs, boolean reversed) {
        int u = w.units();
        float[] h = new float[u];
        float[] c = new float[u];
        float[] z = new float[4 * u];
        for (int s = 0; s < xs.length; s++) {
            step(w, xs[reversed ? xs.length - 1 - s : s], h, c, z);
        }
        return h;
    }

    private static float[][] sequence(LstmWeights w, float[][] xs) {
        int u = w.units();
        float[] h = new float[u];
        float[] c = new float[u];
        float[] z = new float[4 * u];
        float[][] out = new float[xs.length][];
        for (int t = 0; t < xs.length; t++) {
            step(w, xs[t], h, c, z);
            out[t] = h.clone();
        }
        return out;
    }

    /** One time step; updates {@code h} and {@code c} in place. */
    private static void step(LstmWeights w, float[] x, float[] h, float[] c, float[] z) {
        int u = w.units();
        int g = 4 * u;
        System.arraycopy(w.biasView(), 0, z, 0, g);
        for (int i = 0; i < x.length; i++) {
            axpy(x[i], w.inputRow(i), z, g);
        }
        int pending = -1; // rows go in pairs: one pass over z for two rows
        for (int k = 0; k < u; k++) {
            if (h[k] != 0) { // ReLU zeroes many units: their row adds nothing
                if (pending < 0) {
                    pending = k;
                } else {
                    axpy2(h[pending], w.recurrentRow(pending), h[k], w.recurrentRow(k), z, g);
                    pending = -1;
                }
            }
        }
        if (pending >= 0) {
            axpy(h[pending], w.recurrentRow(pending), z, g);
        }
        for (int j = 0; j < u; j++) {
            float blockInput = relu(z[j]);
            float forget = sigmoid(z[u + j]);
            float output = sigmoid(z[2 * u + j]);
            float input = sigmoid(z[3 * u + j]);
            c[j] = forget * c[j] + input * blockInput;
            h[j] = output * relu(c[j]);
        }
    }

    /** {@code z += a * row}, same index on both sides so the JIT can vectorise it. */
    private static void axpy(float a, float[] row, float[] z, int n) {
        for (int j = 0; j < n; j++) {
            z[j] += a * row[j];
        }
    }

    /** {@code z += a * ra + b * rb}. */
    private static void axpy2(float a, float[] ra, float b, float[] rb, float[] z, int n) {
        for (int j = 0; j < n; j++) {
            z[j] += a * ra[j] + b * rb[j];
        }
    }

    private static double[] dense(DenseWeights d, float[] in) {
        int nOut = d.nOut();
        double[] out = new double[nOut];
        float[] w = d.weights();
        for (int o = 0; o < nOut; o++) {
            out[o] = d.bias()[o];
        }
        for (int i = 0; i < in.length; i++) {
            double v = in[i];
            for (int o = 0; o < nOut; o++) {
                out[o] += v * w[i * nOut + o];
            }
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float relu(float v) {
        return v > 0 ? v : 0;
    }

    /** Sigmoid from a table with linear interpolation: absolute error below 3e-6, a few times cheaper than exp. */
    static float sigmoid(float v) {
        float t = (v + SIGMOID_RANGE) * SIGMOID_STEPS_PER_UNIT;
        if (!(t > 0f)) { // also NaN
            return t != t ? Float.NaN : SIGMOID_TABLE[0];
        }
        if (t >= SIGMOID_LAST) {
            return SIGMOID_TABLE[SIGMOID_TABLE.length - 1];
        }
        int i = (int) t;
        float frac = t - i;
        float a = SIGMOID_TABLE[i];
        return a + frac * (SIGMOID_TABLE[i + 1] - a);
    }

    private static final float SIGMOID_RANGE = 16f;
    private static final float SIGMOID_STEPS_PER_UNIT = 128f;
    private static final float[] SIGMOID_TABLE = sigmoidTable();
    private static final float SIGMOID_LAST = SIGMOID_TABLE.length - 1;

    private static float[] sigmoidTable() {
        int n = (int) (2 * SIGMOID_RANGE * SIGMOID_STEPS_PER_UNIT) + 1;
        float[] table = new float[n];
        for (int i = 0; i < n; i++) {
            double x = i / (double) SIGMOID_STEPS_PER_UNIT - SIGMOID_RANGE;
            table[i] = (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        return table;
    }

}
