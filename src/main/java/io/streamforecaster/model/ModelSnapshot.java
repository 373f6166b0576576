package io.streamforecaster.model;

import java.util.List;

/**
 * An immutable, trained model of one key: everything needed to forecast without DL4J.
 *
 * <p>The network sees a window z-scaled by {@link #scaler()} and predicts the scaled change from
 * the window's last row; {@link FastForecaster} turns that back into the series' own units.
 *
 * @param lstms vanilla: one layer; stacked: first and second layer; bidirectional: forward, backward
 * @param version 1 for a key's first model, then + 1 per accepted retrain
 * @param trainedAt epoch milliseconds when training finished
 * @param trainingLoss final training loss (MSE, scaled units)
 * @param observations how many observations the key had when its history was snapshot for training
 */
public record ModelSnapshot(
        Variant variant,
        int nSteps,
        int nFeatures,
        int units,
        Scaler scaler,
        List<LstmWeights> lstms,
        DenseWeights dense,
        long version,
        long trainedAt,
        double trainingLoss,
        long observations) {

    public ModelSnapshot {
        if (nSteps < 1 || nFeatures < 1 || units < 1) {
            throw new IllegalArgumentException("Invalid model size nSteps = " + nSteps + ", nFeatures = " + nFeatures + ", units = " + units);
        }
        lstms = List.copyOf(lstms);
        if (lstms.size() != variant.lstmLayers()) {
            throw new IllegalArgumentException("Variant " + variant.id() + " needs " + variant.lstmLayers() + " LSTM layers, got " + lstms.size());
        }
        if (scaler.features() != nFeatures) {
            throw new IllegalArgumentException("Scaler has " + scaler.features() + " features, model " + nFeatures);
        }
        int secondIn = variant == Variant.STACKED ? units : nFeatures;
        for (int i = 0; i < lstms.size(); i++) {
            LstmWeights l = lstms.get(i);
            int expectedIn = i == 0 ? nFeatures : secondIn;
            if (l.units() != units || l.nIn() != expectedIn) {
                throw new IllegalArgumentException("LSTM layer " + i + " is " + l.nIn() + "x" + l.units() + ", expected " + expectedIn + "x" + units);
            }
        }
        int denseIn = variant == Variant.BIDIRECTIONAL ? 2 * units : units;
        if (dense.nIn() != denseIn || dense.nOut() != nFeatures) {
            throw new IllegalArgumentException("Dense layer is " + dense.nIn() + "x" + dense.nOut() + ", expected " + denseIn + "x" + nFeatures);
        }
    }

    /**
     * The copy that goes into the model store: the task that owns the key assigns the version and
     * stamps the time it took the model in, on the same clock that schedules retraining.
     */
    public ModelSnapshot installed(long newVersion, long at) {
        return new ModelSnapshot(variant, nSteps, nFeatures, units, scaler, lstms, dense, newVersion, at, trainingLoss, observations);
    }

    public int parameterCount() {
        return lstms.stream().mapToInt(LstmWeights::parameterCount).sum() + dense.parameterCount();
    }

    /** Whether every parameter is finite: a model that is not is never used. */
    public boolean isFinite() {
        if (!Double.isFinite(trainingLoss)) {
            return false;
        }
        for (LstmWeights l : lstms) {
            if (!finite(l.inputWeights()) || !finite(l.recurrentWeights()) || !finite(l.bias())) {
                return false;
            }
        }
        return finite(dense.weights()) && finite(dense.bias());
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
