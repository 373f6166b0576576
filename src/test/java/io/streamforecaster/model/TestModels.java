package io.streamforecaster.model;

import java.util.ArrayList;
import java.util.List;

/** Hand-made models whose forecasts are known without training. */
public final class TestModels {

    private TestModels() {
    }

    /**
     * A model whose LSTM weights are all zero, so its hidden state stays 0 and it forecasts the
     * window's last value plus {@code offset} (its scaler's std is 1, the dense bias is the offset).
     */
    public static ModelSnapshot offset(TrainingSettings s, double offset, long version, long observations) {
        return offset(s, offset, 1.0, version, observations);
    }

    /** As {@link #offset(TrainingSettings, double, long, long)}, with the scaler's std {@code scale}: it adds {@code offset × scale}. */
    public static ModelSnapshot offset(TrainingSettings s, double offset, double scale, long version, long observations) {
        int nf = s.nFeatures();
        int u = s.units();
        List<LstmWeights> lstms = new ArrayList<>();
        for (int i = 0; i < s.variant().lstmLayers(); i++) {
            int nIn = s.variant() == Variant.STACKED && i == 1 ? u : nf;
            lstms.add(new LstmWeights(nIn, u, new float[nIn * 4 * u], new float[u * 4 * u], new float[4 * u]));
        }
        int denseIn = s.variant() == Variant.BIDIRECTIONAL ? 2 * u : u;
        float[] bias = new float[nf];
        java.util.Arrays.fill(bias, (float) offset);
        double[] mean = new double[nf];
        double[] std = new double[nf];
        java.util.Arrays.fill(std, scale);
        return new ModelSnapshot(s.variant(), s.nSteps(), nf, u, new Scaler(mean, std), lstms,
                new DenseWeights(denseIn, nf, new float[denseIn * nf], bias), version, 0, 0.1, observations);
    }
}
