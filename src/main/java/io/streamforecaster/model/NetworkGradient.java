package io.streamforecaster.model;

/**
 * The score and its gradient for one variant's network over a whole batch of windows: what DL4J's
 * {@code ComputationGraph.computeGradientAndScore} gives, divided by the batch size as its updater
 * does before clipping. The score is the {@code OutputLayer}'s MSE as DL4J reports it: the sum of
 * squared errors over the batch and the outputs, divided by the number of outputs and by the batch
 * size; its gradient per window is {@code 2 (output - target) / nOut}.
 *
 * <p>The windows go through the network one after the other ({@link LstmPass}), each window's
 * gradient added to the batch's: the same sums as DL4J's matrix products, in another order, so
 * both agree to float rounding ({@code TrainingParityTest}). One instance serves one training
 * run; its buffers are reused for every epoch.
 */
final class NetworkGradient {

    private final Variant variant;
    private final int steps;
    private final int u;
    private final int nOut;
    private final LstmPass first;
    private final LstmPass second;
    private final float[][][] rwT;
    /** The stacked variant's second layer's input weights transposed, and dL/d(first layer's output). */
    private final float[][] wT;
    private final float[][] between;
    private final float[] features;
    private final float[] dFeatures;
    private final float[] out;
    private final float[] dOut;

    NetworkGradient(Variant variant, int nFeatures, int units, int steps) {
        this.variant = variant;
        this.steps = steps;
        this.u = units;
        this.nOut = nFeatures;
        int g = 4 * units;
        this.first = new LstmPass(nFeatures, units, steps);
        this.second = variant.lstmLayers() > 1 ? new LstmPass(variant == Variant.STACKED ? units : nFeatures, units, steps) : null;
        this.rwT = new float[variant.lstmLayers()][g][units];
        this.wT = variant == Variant.STACKED ? new float[g][units] : null;
        this.between = variant == Variant.STACKED ? new float[steps][units] : null;
        int denseIn = variant == Variant.BIDIRECTIONAL ? 2 * units : units;
        this.features = new float[denseIn];
        this.dFeatures = new float[denseIn];
        this.out = new float[nFeatures];
        this.dOut = new float[nFeatures];
    }

    static NetworkGradient of(TrainingSettings s) {
        return new NetworkGradient(s.variant(), s.nFeatures(), s.units(), s.nSteps());
    }

    /**
     * @param grad receives the gradient of the score, or null for the score alone
     * @return the score (mean squared error per output and window)
     */
    double compute(NetworkParameters p, TrainingBatch batch, NetworkParameters grad) {
        if (batch.steps() != steps || batch.features() != nOut || p.variant != variant || p.units != u) {
            throw new IllegalArgumentException("Batch of " + batch.steps() + " steps x " + batch.features()
                    + " features or parameters of " + p.variant + " do not fit this network");
        }
        if (grad != null) {
            grad.clear();
            for (int l = 0; l < p.layers(); l++) {
                Vectors.transpose(p.rw[l], rwT[l]);
            }
            if (wT != null) {
                Vectors.transpose(p.w[1], wT);
            }
        }
        double sum = 0;
        for (int i = 0; i < batch.windows(); i++) {
            float[][] x = batch.x()[i];
            forward(p, x);
            sum += outputAndLoss(p, batch.y()[i]);
            if (grad != null) {
                backward(p, x, grad);
            }
        }
        if (grad != null) {
            float n = batch.windows();
            for (float[][] type : grad.types()) {
                for (float[] row : type) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] /= n;
                    }
                }
            }
        }
        return sum / nOut / batch.windows();
    }

    private void forward(NetworkParameters p, float[][] x) {
        switch (variant) {
            case VANILLA -> {
                first.forward(p.w[0], p.rw[0], p.b[0], x, 0, false);
                System.arraycopy(first.h[steps], 0, features, 0, u);
            }
            case STACKED -> {
                first.forward(p.w[0], p.rw[0], p.b[0], x, 0, false);
                second.forward(p.w[1], p.rw[1], p.b[1], first.h, 1, false);
                System.arraycopy(second.h[steps], 0, features, 0, u);
            }
            case BIDIRECTIONAL -> {
                first.forward(p.w[0], p.rw[0], p.b[0], x, 0, false);
                second.forward(p.w[1], p.rw[1], p.b[1], x, 0, true);
                System.arraycopy(first.h[steps], 0, features, 0, u);
                System.arraycopy(second.h[steps], 0, features, u, u);
            }
            default -> throw new IllegalStateException("Unknown variant " + variant);
        }
    }

    /** The dense output for {@link #features}, its squared error and dL/d(output). */
    private double outputAndLoss(NetworkParameters p, float[] y) {
        java.util.Arrays.fill(out, 0f);
        for (int k = 0; k < features.length; k++) {
            if (features[k] != 0) {
                Vectors.axpy(features[k], p.denseW[k], out, nOut);
            }
        }
        double loss = 0;
        for (int o = 0; o < nOut; o++) {
            out[o] += p.denseB[o];
            float diff = out[o] - y[o];
            loss += diff * diff;
            dOut[o] = diff * 2 / nOut;
        }
        return loss;
    }

    private void backward(NetworkParameters p, float[][] x, NetworkParameters grad) {
        for (int k = 0; k < features.length; k++) {
            if (features[k] != 0) {
                Vectors.axpy(features[k], dOut, grad.denseW[k], nOut);
            }
            float s = 0;
            for (int o = 0; o < nOut; o++) {
                s += p.denseW[k][o] * dOut[o];
            }
            dFeatures[k] = s;
        }
        Vectors.add(dOut, grad.denseB, nOut);
        switch (variant) {
            case VANILLA -> first.backward(rwT[0], x, 0, false, grad.w[0], grad.rw[0], grad.b[0],
                    dFeatures, 0, null, null, null);
            case STACKED -> {
                second.backward(rwT[1], first.h, 1, false, grad.w[1], grad.rw[1], grad.b[1],
                        dFeatures, 0, null, wT, between);
                first.backward(rwT[0], x, 0, false, grad.w[0], grad.rw[0], grad.b[0],
                        null, 0, between, null, null);
            }
            case BIDIRECTIONAL -> {
                first.backward(rwT[0], x, 0, false, grad.w[0], grad.rw[0], grad.b[0],
                        dFeatures, 0, null, null, null);
                second.backward(rwT[1], x, 0, true, grad.w[1], grad.rw[1], grad.b[1],
                        dFeatures, u, null, null, null);
            }
            default -> throw new IllegalStateException("Unknown variant " + variant);
        }
    }
}
