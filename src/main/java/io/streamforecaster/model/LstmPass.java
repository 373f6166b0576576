package io.streamforecaster.model;

/**
 * One LSTM layer run forward and backward over one window at a time, with DL4J's arithmetic
 * ({@code LSTMHelpers}: ReLU block input and cell activation, sigmoid gates, no peepholes, zero
 * initial state, gate blocks in the order block input, forget, output, input gate). The sigmoid
 * is {@link Sigmoid}'s, exact to float rounding, not the forecast's cheaper linear table.
 *
 * <p>Its buffers are sized once and reused for every window and epoch: nothing is allocated while
 * training. The inner loops run over one row of {@code 4 * units} floats from index 0
 * ({@link Vectors}), which the JIT vectorises; a ReLU output that is 0 skips its row.
 */
final class LstmPass {

    private final int nIn;
    private final int u;
    private final int g;
    private final int steps;
    /** Per processed step, the activations of block input, forget, output and input gate ({@code 4u}). */
    final float[][] act;
    /** The cell state before the first step (row 0, zeros) and after each step. */
    final float[][] c;
    /** The layer's output, likewise: row {@code s + 1} is processed step {@code s}'s. */
    final float[][] h;
    private float[] dz;
    private float[] dzNext;
    private float[] dc;
    private float[] dcNext;
    private final float[] dh;
    private final int[] nonZero;

    LstmPass(int nIn, int units, int steps) {
        this.nIn = nIn;
        this.u = units;
        this.g = 4 * units;
        this.steps = steps;
        this.act = new float[steps][g];
        this.c = new float[steps + 1][units];
        this.h = new float[steps + 1][units];
        this.dz = new float[g];
        this.dzNext = new float[g];
        this.dc = new float[units];
        this.dcNext = new float[units];
        this.dh = new float[units];
        this.nonZero = new int[4 * units];
    }

    /**
     * Runs one window forward. Processed step {@code s} reads input row {@code in[inAt + s]}, or
     * {@code in[inAt + steps - 1 - s]} when {@code reversed} (the bidirectional variant's backward LSTM).
     */
    void forward(float[][] w, float[][] rw, float[] b, float[][] in, int inAt, boolean reversed) {
        for (int s = 0; s < steps; s++) {
            float[] z = act[s];
            float[] x = in[inAt + (reversed ? steps - 1 - s : s)];
            System.arraycopy(b, 0, z, 0, g);
            for (int i = 0; i < nIn; i++) {
                if (x[i] != 0) {
                    Vectors.axpy(x[i], w[i], z, g);
                }
            }
            float[] hp = h[s];
            int pending = -1; // rows go in pairs: one pass over z for two of them
            for (int k = 0; k < u; k++) {
                if (hp[k] != 0) { // ReLU zeroes many units: their row adds nothing
                    if (pending < 0) {
                        pending = k;
                    } else {
                        Vectors.axpy2(hp[pending], rw[pending], hp[k], rw[k], z, g);
                        pending = -1;
                    }
                }
            }
            if (pending >= 0) {
                Vectors.axpy(hp[pending], rw[pending], z, g);
            }
            float[] cp = c[s];
            float[] cs = c[s + 1];
            float[] hs = h[s + 1];
            for (int j = 0; j < u; j++) {
                float a = relu(z[j]);
                float f = Sigmoid.of(z[u + j]);
                float o = Sigmoid.of(z[2 * u + j]);
                float gi = Sigmoid.of(z[3 * u + j]);
                z[j] = a;
                z[u + j] = f;
                z[2 * u + j] = o;
                z[3 * u + j] = gi;
                float cell = cp[j] * f + gi * a;
                cs[j] = cell;
                hs[j] = relu(cell) * o;
            }
        }
    }

    /**
     * Back-propagates through the window run by the last {@link #forward}, adding this layer's
     * parameter gradients to {@code dw}, {@code drw} and {@code db}.
     *
     * @param rwT the recurrent weights transposed, {@code [4u][u]}
     * @param epsLast dL/dh of the last processed step (LastTimeStep), from {@code epsAt}; or null
     * @param epsSeq dL/dh of each processed step (the first layer of stacked), or null
     * @param wT the input weights transposed {@code [4u][nIn]}, needed only with {@code dx}
     * @param dx receives dL/d(input) of each processed step, or null when not needed
     */
    void backward(float[][] rwT, float[][] in, int inAt, boolean reversed, float[][] dw, float[][] drw, float[] db,
                  float[] epsLast, int epsAt, float[][] epsSeq, float[][] wT, float[][] dx) {
        for (int s = steps - 1; s >= 0; s--) {
            boolean last = s == steps - 1;
            if (last) { // nothing flows back from a next step
                if (epsSeq != null) {
                    System.arraycopy(epsSeq[s], 0, dh, 0, u);
                } else {
                    System.arraycopy(epsLast, epsAt, dh, 0, u);
                }
            } else { // RW . dz(s + 1), plus the loss's own gradient at this step if any
                Vectors.combine(dzNext, rwT, dh, u, nonZero);
                if (epsSeq != null) {
                    Vectors.add(epsSeq[s], dh, u);
                }
            }
            float[] a4 = act[s];
            float[] next = last ? null : act[s + 1];
            float[] cs = c[s + 1];
            float[] cp = c[s];
            for (int k = 0; k < u; k++) {
                float a = a4[k];
                float f = a4[u + k];
                float o = a4[2 * u + k];
                float gi = a4[3 * u + k];
                float cell = cs[k];
                float dhk = dh[k];
                // the order of DL4J's float operations, so that both round alike
                float dOut = dhk * relu(cell) * (o * (1 - o));
                float dck = cell > 0 ? o * dhk : 0f;
                if (!last) {
                    dck += next[u + k] * dcNext[k];
                }
                dz[k] = a > 0 ? gi * dck : 0f;
                dz[u + k] = f * (1 - f) * dck * cp[k]; // 0 at the first step: the initial cell state is 0
                dz[2 * u + k] = dOut;
                dz[3 * u + k] = gi * (1 - gi) * a * dck;
                dc[k] = dck;
            }
            float[] x = in[inAt + (reversed ? steps - 1 - s : s)];
            for (int i = 0; i < nIn; i++) {
                if (x[i] != 0) {
                    Vectors.axpy(x[i], dz, dw[i], g);
                }
            }
            float[] hp = h[s];
            for (int k = 0; k < u; k++) { // the previous output is 0 at the first step: no recurrent gradient
                if (hp[k] != 0) {
                    Vectors.axpy(hp[k], dz, drw[k], g);
                }
            }
            Vectors.add(dz, db, g);
            if (dx != null) {
                Vectors.combine(dz, wT, dx[s], nIn, nonZero);
            }
            float[] t = dz;
            dz = dzNext;
            dzNext = t;
            t = dc;
            dc = dcNext;
            dcNext = t;
        }
    }

    private static float relu(float v) {
        return v > 0 ? v : 0f;
    }
}
