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
        double[] features = switch (model.variant()) {
            case VANILLA -> lastHidden(model.lstms().get(0), scaled, false);
            case STACKED -> lastHidden(model.lstms().get(1), sequence(model.lstms().get(0), scaled), false);
            case BIDIRECTIONAL -> concat(
                    lastHidden(model.lstms().get(0), scaled, false),
                    lastHidden(model.lstms().get(1), scaled, true));
        };
        return dense(model.dense(), features);
    }

    private static double[] lastHidden(LstmWeights w, double[][] xs, boolean reversed) {
        int u = w.units();
        double[] h = new double[u];
        double[] c = new double[u];
        double[] z = new double[4 * u];
        for (int s = 0; s < xs.length; s++) {
            step(w, xs[reversed ? xs.length - 1 - s : s], h, c, z);
        }
        return h;
    }

    private static double[][] sequence(LstmWeights w, double[][] xs) {
        int u = w.units();
        double[] h = new double[u];
        double[] c = new double[u];
        double[] z = new double[4 * u];
        double[][] out = new double[xs.length][];
        for (int t = 0; t < xs.length; t++) {
            step(w, xs[t], h, c, z);
            out[t] = h.clone();
        }
        return out;
    }

    /** One time step; updates {@code h} and {@code c} in place. */
    private static void step(LstmWeights w, double[] x, double[] h, double[] c, double[] z) {
        int u = w.units();
        int g = 4 * u;
        float[] bias = w.bias();
        for (int j = 0; j < g; j++) {
            z[j] = bias[j];
        }
        float[] wi = w.inputWeights();
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            int row = i * g;
            for (int j = 0; j < g; j++) {
                z[j] += xi * wi[row + j];
            }
        }
        float[] wr = w.recurrentWeights();
        for (int k = 0; k < u; k++) {
            double hk = h[k];
            if (hk == 0) {
                continue;
            }
            int row = k * g;
            for (int j = 0; j < g; j++) {
                z[j] += hk * wr[row + j];
            }
        }
        for (int j = 0; j < u; j++) {
            double blockInput = relu(z[j]);
            double forget = sigmoid(z[u + j]);
            double output = sigmoid(z[2 * u + j]);
            double input = sigmoid(z[3 * u + j]);
            c[j] = forget * c[j] + input * blockInput;
            h[j] = output * relu(c[j]);
        }
    }

    private static double[] dense(DenseWeights d, double[] in) {
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

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double relu(double v) {
        return v > 0 ? v : 0;
    }

    private static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }
}
