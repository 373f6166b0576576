package io.streamforecaster.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A network's parameters as the Java engine trains them, held as rows: per LSTM layer its input
 * weights {@code W [nIn][4u]}, recurrent weights {@code RW [u][4u]} and bias {@code b [4u]}, then the
 * dense layer's {@code W [in][nOut]} and {@code b [nOut]}. Every inner loop of training runs over one
 * row from index 0, the only form in which C2 (Java 17) vectorises it: a loop over a flat array at
 * two different offsets ran about three times slower here.
 *
 * <p>The same shape also holds a gradient and Adam's two moments ({@link #zerosLike}). Each of
 * W, RW and b of a layer is one parameter type, the unit DL4J's {@code ClipL2PerParamType} clips
 * ({@link #types}).
 */
final class NetworkParameters {

    final Variant variant;
    final int nFeatures;
    final int units;
    /** Per LSTM layer, in {@link ModelSnapshot#lstms()} order. */
    final float[][][] w;
    final float[][][] rw;
    final float[][] b;
    final float[][] denseW;
    final float[] denseB;
    private final float[][][] types;

    NetworkParameters(Variant variant, int nFeatures, int units) {
        this.variant = variant;
        this.nFeatures = nFeatures;
        this.units = units;
        int layers = variant.lstmLayers();
        int g = 4 * units;
        w = new float[layers][][];
        rw = new float[layers][units][g];
        b = new float[layers][g];
        for (int l = 0; l < layers; l++) {
            w[l] = new float[inputs(l)][g];
        }
        denseW = new float[variant == Variant.BIDIRECTIONAL ? 2 * units : units][nFeatures];
        denseB = new float[nFeatures];
        types = new float[3 * layers + 2][][];
        for (int l = 0; l < layers; l++) {
            types[3 * l] = w[l];
            types[3 * l + 1] = rw[l];
            types[3 * l + 2] = new float[][] {b[l]};
        }
        types[3 * layers] = denseW;
        types[3 * layers + 1] = new float[][] {denseB};
    }

    static NetworkParameters of(ModelSnapshot m) {
        return of(m.variant(), m.nFeatures(), m.units(), m.lstms(), m.dense());
    }

    static NetworkParameters of(Variant variant, int nFeatures, int units, List<LstmWeights> lstms, DenseWeights dense) {
        NetworkParameters p = new NetworkParameters(variant, nFeatures, units);
        if (lstms.size() != p.layers() || dense.nIn() != p.denseW.length || dense.nOut() != nFeatures) {
            throw new IllegalArgumentException("Weights do not fit a " + variant.id() + " network of " + units + " units");
        }
        int g = 4 * units;
        for (int l = 0; l < p.layers(); l++) {
            LstmWeights lw = lstms.get(l);
            if (lw.nIn() != p.inputs(l) || lw.units() != units) {
                throw new IllegalArgumentException("LSTM layer " + l + " is " + lw.nIn() + "x" + lw.units()
                        + ", expected " + p.inputs(l) + "x" + units);
            }
            unflatten(lw.inputWeights(), p.w[l], g);
            unflatten(lw.recurrentWeights(), p.rw[l], g);
            System.arraycopy(lw.bias(), 0, p.b[l], 0, g);
        }
        unflatten(dense.weights(), p.denseW, nFeatures);
        System.arraycopy(dense.bias(), 0, p.denseB, 0, nFeatures);
        return p;
    }

    int layers() {
        return w.length;
    }

    /** Inputs of LSTM layer {@code l}: the features, or the first layer's units for stacked's second. */
    int inputs(int l) {
        return variant == Variant.STACKED && l == 1 ? units : nFeatures;
    }

    /** Every parameter type as its rows (views, not copies): W, RW, b of each LSTM layer, then the dense W and b. */
    float[][][] types() {
        return types;
    }

    NetworkParameters zerosLike() {
        return new NetworkParameters(variant, nFeatures, units);
    }

    NetworkParameters copy() {
        NetworkParameters c = zerosLike();
        for (int t = 0; t < types.length; t++) {
            for (int r = 0; r < types[t].length; r++) {
                System.arraycopy(types[t][r], 0, c.types[t][r], 0, types[t][r].length);
            }
        }
        return c;
    }

    void clear() {
        for (float[][] type : types) {
            for (float[] row : type) {
                java.util.Arrays.fill(row, 0f);
            }
        }
    }

    List<LstmWeights> lstms() {
        List<LstmWeights> out = new ArrayList<>(layers());
        for (int l = 0; l < layers(); l++) {
            out.add(new LstmWeights(inputs(l), units, flatten(w[l]), flatten(rw[l]), b[l].clone()));
        }
        return out;
    }

    DenseWeights dense() {
        return new DenseWeights(denseW.length, nFeatures, flatten(denseW), denseB.clone());
    }

    /** All parameters, type after type, each row-major: the order of {@link #types}. */
    float[] flatten() {
        int n = 0;
        for (float[][] type : types) {
            for (float[] row : type) {
                n += row.length;
            }
        }
        float[] out = new float[n];
        int at = 0;
        for (float[][] type : types) {
            for (float[] row : type) {
                System.arraycopy(row, 0, out, at, row.length);
                at += row.length;
            }
        }
        return out;
    }

    private static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] out = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * width, width);
        }
        return out;
    }

    private static void unflatten(float[] flat, float[][] rows, int width) {
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(flat, r * width, rows[r], 0, width);
        }
    }
}
