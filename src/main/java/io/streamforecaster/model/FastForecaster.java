package io.streamforecaster.model;

/**
 * The forecast computed from a {@link ModelSnapshot}'s parameters in plain Java, with the same math
 * as DL4J's forward pass (ReLU block input and cell activation, sigmoid gates). It costs
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
        int nf = model.nFeatures();
        double[][] scaled = new double[window.length][nf];
        for (int t = 0; t < window.length; t++) {
            for (int f = 0; f < nf; f++) {
                scaled[t][f] = scaler.scale(window[t][f], f);
            }
        }
        double[] out = networkOutput(model, scaled);
        double[] last = window[window.length - 1];
        double[] forecast = new double[nf];
        for (int f = 0; f < nf; f++) {
            forecast[f] = last[f] + out[f] * scaler.std()[f];
        }
        return forecast;
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
        System.arraycopy(w.bias(), 0, z, 0, g);
        float[] wi = w.inputWeights();
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            int row = i * g;
            for (int j = 0; j < g; j++) {
                z[j] += xi * wi[row + j];
            }
        }
        float[] wr = w.recurrentWeights();
        for (int k = 0; k < u; k++) {
            float hk = h[k];
            if (hk == 0) {
                continue; // ReLU zeroes many units: their row adds nothing
            }
            int row = k * g;
            for (int j = 0; j < g; j++) {
                z[j] += hk * wr[row + j];
            }
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

    private static float sigmoid(float v) {
        return 1f / (1f + exp(-v));
    }

    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2 = 0.6931471805599453f;

    /**
     * {@code e^x} to float precision (relative error about 1e-7), several times cheaper than
     * {@link Math#exp}: the forecast needs 60 of them per time step. 2^x is split into 2^n, set
     * in the exponent bits, times 2^f for |f| &lt;= 0.5 by its Taylor series to the 6th power.
     */
    static float exp(float x) {
        if (x > 88f) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < -87f) {
            return 0f;
        }
        float t = x * LOG2E;
        float n = Math.round(t);
        float f = (t - n) * LN2;
        float p = 1f + f * (1f + f * (0.5f + f * (1f / 6 + f * (1f / 24 + f * (1f / 120 + f * (1f / 720))))));
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
