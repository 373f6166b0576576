package io.streamforecaster.model;

import java.util.Arrays;

/**
 * One LSTM layer's parameters. Gate blocks along the {@code 4 * units} axis follow DL4J's order:
 * block input (layer activation), forget, output, input gate. Held as one row of {@code 4 * units}
 * per input and per recurrent unit, so the forecast's inner loop runs over one contiguous row
 * (which the JIT vectorises); the flat accessors give row-major copies.
 */
public final class LstmWeights {

    private final int nIn;
    private final int units;
    private final float[][] inputRows;
    private final float[][] recurrentRows;
    private final float[] bias;

    /**
     * @param inputWeights {@code [nIn][4 * units]}, row-major
     * @param recurrentWeights {@code [units][4 * units]}, row-major
     * @param bias {@code [4 * units]}
     */
    public LstmWeights(int nIn, int units, float[] inputWeights, float[] recurrentWeights, float[] bias) {
        if (nIn < 1 || units < 1) {
            throw new IllegalArgumentException("Invalid LSTM size nIn = " + nIn + ", units = " + units);
        }
        check("input weights", inputWeights, (long) nIn * 4 * units);
        check("recurrent weights", recurrentWeights, (long) units * 4 * units);
        check("bias", bias, 4L * units);
        this.nIn = nIn;
        this.units = units;
        this.inputRows = rows(inputWeights, nIn, 4 * units);
        this.recurrentRows = rows(recurrentWeights, units, 4 * units);
        this.bias = bias.clone();
    }

    static void check(String what, float[] values, long expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException("Invalid " + what + ": " + values.length + " values, expected " + expected);
        }
    }

    private static float[][] rows(float[] flat, int rows, int width) {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        return out;
    }

    private static float[] flat(float[][] rows) {
        int width = rows[0].length;
        float[] out = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * width, width);
        }
        return out;
    }

    public int nIn() {
        return nIn;
    }

    public int units() {
        return units;
    }

    public float[] inputWeights() {
        return flat(inputRows);
    }

    public float[] recurrentWeights() {
        return flat(recurrentRows);
    }

    public float[] bias() {
        return bias.clone();
    }

    /** Row {@code i} of the input weights; not a copy: for the forecast's inner loop only. */
    float[] inputRow(int i) {
        return inputRows[i];
    }

    /** Row {@code k} of the recurrent weights; not a copy. */
    float[] recurrentRow(int k) {
        return recurrentRows[k];
    }

    /** The bias; not a copy. */
    float[] biasView() {
        return bias;
    }

    public int parameterCount() {
        return (nIn + units + 1) * 4 * units;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LstmWeights l && nIn == l.nIn && units == l.units
                && Arrays.deepEquals(inputRows, l.inputRows) && Arrays.deepEquals(recurrentRows, l.recurrentRows)
                && Arrays.equals(bias, l.bias);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * nIn + units) + Arrays.hashCode(bias);
    }
}
