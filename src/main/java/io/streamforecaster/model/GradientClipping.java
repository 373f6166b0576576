package io.streamforecaster.model;

/**
 * DL4J's {@code GradientNormalization.ClipL2PerParamType}: each parameter type's gradient (a
 * layer's W, RW or b) whose L2 norm exceeds the threshold is divided by its norm over the
 * threshold; the others are left as they are.
 */
final class GradientClipping {

    private GradientClipping() {
    }

    /** @return how many parameter types were clipped */
    static int clipPerParamType(NetworkParameters grad, double threshold) {
        int clipped = 0;
        for (float[][] type : grad.types()) {
            double l2 = Math.sqrt(sumOfSquares(type));
            if (l2 > threshold) {
                float divisor = (float) (l2 / threshold);
                for (float[] row : type) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] /= divisor;
                    }
                }
                clipped++;
            }
        }
        return clipped;
    }

    static double sumOfSquares(float[][] type) {
        double ss = 0;
        for (float[] row : type) {
            for (float v : row) {
                ss += (double) v * v;
            }
        }
        return ss;
    }
}
