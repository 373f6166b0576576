package io.streamforecaster.model;

/**
 * What one training run needs to know, independent of where the settings came from.
 *
 * @param epochs full-batch epochs for a model trained from scratch
 * @param warmStartEpochs epochs when a retrain starts from the key's current weights
 * @param gradientClip L2 norm each parameter type's gradient is clipped to
 * @param holdout newest observations kept out of training, on which a retrained model (the
 *                challenger) must beat the current one (the champion); 0 turns the check off
 * @param engine what runs the training: our own Java path or DL4J (same math, same model format)
 */
public record TrainingSettings(
        Variant variant,
        int nSteps,
        int nFeatures,
        int units,
        int epochs,
        int warmStartEpochs,
        double learningRate,
        long seed,
        double gradientClip,
        int holdout,
        TrainingEngine engine) {

    /** Settings trained by the default engine ({@link TrainingEngine#JAVA}). */
    public TrainingSettings(Variant variant, int nSteps, int nFeatures, int units, int epochs, int warmStartEpochs,
                            double learningRate, long seed, double gradientClip, int holdout) {
        this(variant, nSteps, nFeatures, units, epochs, warmStartEpochs, learningRate, seed, gradientClip, holdout,
                TrainingEngine.JAVA);
    }

    /** Longest window: the forecast runs on the stream thread for every event. */
    public static final int MAX_STEPS = 1024;
    /** Most values per observation. */
    public static final int MAX_FEATURES = 64;
    /** Most LSTM units per layer: a model is one record, which must fit a Kafka request. */
    public static final int MAX_UNITS = 1024;

    public TrainingSettings {
        if (engine == null) {
            throw new IllegalArgumentException("A training engine is needed");
        }
        if (nSteps < 1 || nSteps > MAX_STEPS) {
            throw new IllegalArgumentException("Invalid forecaster.model.n-steps = " + nSteps + ": must be 1 to " + MAX_STEPS);
        }
        if (nFeatures < 1 || nFeatures > MAX_FEATURES) {
            throw new IllegalArgumentException("Invalid forecaster.model.n-features = " + nFeatures + ": must be 1 to " + MAX_FEATURES);
        }
        if (units < 1 || units > MAX_UNITS) {
            throw new IllegalArgumentException("Invalid forecaster.model.units = " + units + ": must be 1 to " + MAX_UNITS);
        }
        if (epochs < 1 || epochs > 100_000 || warmStartEpochs < 0 || warmStartEpochs > 100_000) {
            throw new IllegalArgumentException("Invalid forecaster.training.epochs = " + epochs + " or warm-start-epochs = "
                    + warmStartEpochs + ": epochs must be 1 to 100000, warm-start-epochs 0 (every retrain starts from fresh weights) to 100000");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("Invalid forecaster.training.learning-rate = " + learningRate);
        }
        if (!(gradientClip > 0) || !Double.isFinite(gradientClip)) {
            throw new IllegalArgumentException("Invalid forecaster.training.gradient-clip = " + gradientClip);
        }
        if (holdout < 0) {
            throw new IllegalArgumentException("Invalid forecaster.training.holdout = " + holdout);
        }
    }

    /** The seed notebook's settings for a variant: 20 units, 200 epochs. */
    public static TrainingSettings seed(Variant variant, int nSteps, long seed) {
        return new TrainingSettings(variant, nSteps, 1, 20, 200, 50, 0.01, seed, 1.0, 0);
    }

    public TrainingSettings withVariant(Variant v) {
        return new TrainingSettings(v, nSteps, nFeatures, units, epochs, warmStartEpochs, learningRate, seed, gradientClip, holdout, engine);
    }

    public TrainingSettings withEngine(TrainingEngine e) {
        return new TrainingSettings(variant, nSteps, nFeatures, units, epochs, warmStartEpochs, learningRate, seed, gradientClip, holdout, e);
    }
}
