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

    public TrainingSettings {
        if (engine == null) {
            throw new IllegalArgumentException("A training engine is needed");
        }
        if (nSteps < 1) {
            throw new IllegalArgumentException("Invalid nSteps = " + nSteps);
        }
        if (nFeatures < 1) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures);
        }
        if (units < 1) {
            throw new IllegalArgumentException("Invalid units = " + units);
        }
        if (epochs < 1 || warmStartEpochs < 0) {
            throw new IllegalArgumentException("Invalid epochs = " + epochs + ", warm-start epochs = " + warmStartEpochs);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("Invalid learning rate = " + learningRate);
        }
        if (!(gradientClip > 0)) {
            throw new IllegalArgumentException("Invalid gradient clip = " + gradientClip);
        }
        if (holdout < 0) {
            throw new IllegalArgumentException("Invalid holdout = " + holdout);
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
