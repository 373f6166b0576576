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
 * @param assessment how the model did on held-out observations, and the challengers it has beaten
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
        long observations,
        Assessment assessment) {

    /**
     * The latest check of a model against fresh data it was not trained on.
     *
     * @param checkedAt when the model was last installed or defended against a challenger (epoch ms);
     *                  the retraining schedule counts from here
     * @param checkedObservations the key's observation count at that check
     * @param rejections challengers this model has beaten so far
     * @param holdoutPoints held-out observations of the latest check, 0 when there were none
     * @param holdoutMae this model's MAE on them
     * @param holdoutNaiveMae the naive last-value forecast's MAE on them
     * @param challengerMae the MAE of the last challenger it beat, NaN if none
     */
    public record Assessment(long checkedAt, long checkedObservations, long rejections, int holdoutPoints,
                             double holdoutMae, double holdoutNaiveMae, double challengerMae) {

        public static Assessment none(long at, long observations) {
            return new Assessment(at, observations, 0, 0, Double.NaN, Double.NaN, Double.NaN);
        }
    }

    /** A model not assessed yet: stamped with its own training time and observation count. */
    public ModelSnapshot(Variant variant, int nSteps, int nFeatures, int units, Scaler scaler, List<LstmWeights> lstms,
                         DenseWeights dense, long version, long trainedAt, double trainingLoss, long observations) {
        this(variant, nSteps, nFeatures, units, scaler, lstms, dense, version, trainedAt, trainingLoss, observations,
                Assessment.none(trainedAt, observations));
    }

    public ModelSnapshot {
        if (assessment == null) {
            throw new IllegalArgumentException("A model needs an assessment");
        }
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
    public ModelSnapshot installed(long newVersion, long at, Selection.Evaluation evaluation) {
        return new ModelSnapshot(variant, nSteps, nFeatures, units, scaler, lstms, dense, newVersion, at, trainingLoss, observations,
                new Assessment(at, observations, 0, evaluation.points(), evaluation.challengerMae(), evaluation.naiveMae(), Double.NaN));
    }

    /** This model after it beat a challenger trained at {@code at} on {@code observations} observations. */
    public ModelSnapshot defended(long at, long challengerObservations, Selection.Evaluation evaluation) {
        return new ModelSnapshot(variant, nSteps, nFeatures, units, scaler, lstms, dense, version, trainedAt, trainingLoss, observations,
                new Assessment(at, challengerObservations, assessment.rejections() + 1, evaluation.points(),
                        evaluation.championMae(), evaluation.naiveMae(), evaluation.challengerMae()));
    }

    /** About what the decoded model takes on the heap: its parameters, one array per weight row, the scaler. */
    public long heapBytes() {
        long rows = 0;
        for (LstmWeights l : lstms) {
            rows += l.nIn() + l.units() + 1;
        }
        return 4L * parameterCount() + 16 * (rows + 2) + 32L * nFeatures + 256;
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
