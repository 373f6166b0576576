package io.streamforecaster.model;

/**
 * The training path's inner loops over float rows. Each is a plain counted loop from index 0 with
 * the same index on every array, which C2 turns into SIMD code; the same loop over a flat array at
 * different offsets was not vectorised (about three times slower, measured here on Java 17).
 */
final class Vectors {

    private Vectors() {
    }

    /** {@code y += a * x} over the first {@code n} elements. */
    static void axpy(float a, float[] x, float[] y, int n) {
        for (int j = 0; j < n; j++) {
            y[j] += a * x[j];
        }
    }

    /** {@code y += a * x1 + b * x2}: two rows in one pass over {@code y}. */
    static void axpy2(float a, float[] x1, float b, float[] x2, float[] y, int n) {
        for (int j = 0; j < n; j++) {
            y[j] += a * x1[j] + b * x2[j];
        }
    }

    /** {@code y += a * x1 + b * x2 + c * x3 + d * x4}: four rows in one pass, for short rows where a pass costs most. */
    static void axpy4(float a, float[] x1, float b, float[] x2, float c, float[] x3, float d, float[] x4, float[] y, int n) {
        for (int j = 0; j < n; j++) {
            y[j] += a * x1[j] + b * x2[j] + c * x3[j] + d * x4[j];
        }
    }

    /** {@code y += x}. */
    static void add(float[] x, float[] y, int n) {
        for (int j = 0; j < n; j++) {
            y[j] += x[j];
        }
    }

    /**
     * {@code y = sum over j of a[j] * rows[j]}: a row vector times a matrix held as rows. Only the
     * rows whose {@code a[j]} is not 0 are added (ReLU and saturated gates zero many), four per pass.
     *
     * @param nonZero scratch space for {@code a.length} indices
     */
    static void combine(float[] a, float[][] rows, float[] y, int n, int[] nonZero) {
        int m = 0;
        for (int j = 0; j < a.length; j++) {
            if (a[j] != 0) {
                nonZero[m++] = j;
            }
        }
        java.util.Arrays.fill(y, 0, n, 0f);
        int q = 0;
        for (; q + 3 < m; q += 4) {
            int j0 = nonZero[q];
            int j1 = nonZero[q + 1];
            int j2 = nonZero[q + 2];
            int j3 = nonZero[q + 3];
            axpy4(a[j0], rows[j0], a[j1], rows[j1], a[j2], rows[j2], a[j3], rows[j3], y, n);
        }
        for (; q < m; q++) {
            axpy(a[nonZero[q]], rows[nonZero[q]], y, n);
        }
    }

    /** {@code out[c][r] = in[r][c]}. */
    static void transpose(float[][] in, float[][] out) {
        for (int r = 0; r < in.length; r++) {
            float[] row = in[r];
            for (int c = 0; c < row.length; c++) {
                out[c][r] = row[c];
            }
        }
    }
}
