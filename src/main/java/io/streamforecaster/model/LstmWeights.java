package io.streamforecaster.model;

/**
 * One LSTM layer's parameters in our own row-major layout. Gate blocks along the {@code 4 * units}
 * axis follow DL4J's order: block input (layer activation), forget, output, input gate.
 *
 * @param inputWeights {@code [nIn][4 * units]}
 * @param recurrentWeights {@code [units][4 * units]}
 * @param bias {@code [4 * units]}
 */
public record LstmWeights(int nIn, int units, float[] inputWeights, float[] recurrentWeights, float[] bias) {

    public LstmWeights {
        if (nIn < 1 || units < 1) {
            throw new IllegalArgumentException("Invalid LSTM size nIn = " + nIn + ", units = " + units);
        }
        check("input weights", inputWeights, nIn * 4 * units);
        check("recurrent weights", recurrentWeights, units * 4 * units);
        check("bias", bias, 4 * units);
    }

    static void check(String what, float[] values, int expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException("Invalid " + what + ": " + values.length + " values, expected " + expected);
        }
    }

    public int parameterCount() {
        return inputWeights.length + recurrentWeights.length + bias.length;
    }
}
