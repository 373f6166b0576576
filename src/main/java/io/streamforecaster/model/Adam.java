package io.streamforecaster.model;

/**
 * Adam over a network's parameters, as ND4J's {@code adam_updater} op computes it in float:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g²}, and the update
 * {@code m · lr √(1 - b2^t) / (1 - b1^t) / (√v + ε)} with {@code t} the iteration + 1, subtracted
 * from the parameters. DL4J's defaults: b1 0.9, b2 0.999, ε 1e-8. The state starts at zero for
 * every training run, as DL4J's does for a new network.
 */
final class Adam {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final float learningRate;
    private final float[][][] m;
    private final float[][][] v;
    private int iteration;

    Adam(NetworkParameters shape, double learningRate) {
        this.learningRate = (float) learningRate;
        this.m = shape.zerosLike().types();
        this.v = shape.zerosLike().types();
    }

    /** Applies one update for {@code grad} to {@code params}, and counts the iteration. */
    void step(NetworkParameters params, NetworkParameters grad) {
        float t = iteration + 1;
        float beta1T = (float) Math.pow(BETA1, t);
        float beta2T = (float) Math.pow(BETA2, t);
        // the op's own mix of float and double
        float alpha = (float) (learningRate * (float) Math.sqrt((float) (1.0 - beta2T)) / (1.0 - beta1T));
        if (!Float.isFinite(alpha) || alpha == 0) { // what the op does
            alpha = EPSILON;
        }
        float[][][] p = params.types();
        float[][][] g = grad.types();
        for (int type = 0; type < p.length; type++) {
            for (int r = 0; r < p[type].length; r++) {
                update(p[type][r], g[type][r], m[type][r], v[type][r], alpha);
            }
        }
        iteration++;
    }

    private static void update(float[] p, float[] g, float[] m, float[] v, float alpha) {
        float oneMinusBeta1 = 1 - BETA1;
        float oneMinusBeta2 = 1 - BETA2;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            float mi = BETA1 * m[i] + gi * oneMinusBeta1;
            float vi = BETA2 * v[i] + gi * gi * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            p[i] -= mi * alpha / ((float) Math.sqrt(vi) + EPSILON);
        }
    }
}
