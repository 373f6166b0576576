package io.streamforecaster.model;

/**
 * The output layer's parameters: identity activation.
 *
 * @param weights {@code [nIn][nOut]}, row-major
 * @param bias {@code [nOut]}
 */
public record DenseWeights(int nIn, int nOut, float[] weights, float[] bias) {

    public DenseWeights {
        if (nIn < 1 || nOut < 1) {
            throw new IllegalArgumentException("Invalid dense size nIn = " + nIn + ", nOut = " + nOut);
        }
        LstmWeights.check("dense weights", weights, (long) nIn * nOut);
        LstmWeights.check("dense bias", bias, nOut);
    }

    public int parameterCount() {
        return weights.length + bias.length;
    }
}
