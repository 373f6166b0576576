package io.streamforecaster.config;

import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.serving.ServingSettings;
import java.time.Duration;

/**
 * The settings the stream needs, as one checked value: built from {@link ForecasterConfig} in the
 * service and directly in tests.
 */
public record StreamSettings(
        String inputTopic,
        String outputTopic,
        String deadLetterTopic,
        int historySize,
        ColdStart coldStart,
        int minObservations,
        int minNewObservations,
        Duration trainingInterval,
        Duration checkInterval,
        int accuracyWindow,
        int maxValueBytes,
        int modelCacheSize,
        TrainingSettings training,
        ServingSettings serving,
        ModelScope scope,
        int sharedKeys) {

    public StreamSettings {
        if (historySize < training.nSteps() + 1) {
            throw new IllegalArgumentException("Invalid forecaster.history.size = " + historySize
                    + ": must be at least forecaster.model.n-steps + 1 = " + (training.nSteps() + 1));
        }
        if (minObservations < training.nSteps() + 1 || minObservations > historySize) {
            throw new IllegalArgumentException("Invalid forecaster.training.min-observations = " + minObservations
                    + ": must be between n-steps + 1 = " + (training.nSteps() + 1) + " and history.size = " + historySize);
        }
        if (minNewObservations < 1) {
            throw new IllegalArgumentException("Invalid forecaster.training.min-new-observations = " + minNewObservations);
        }
        if (accuracyWindow < 1 || maxValueBytes < 1 || modelCacheSize < 1) {
            throw new IllegalArgumentException("Invalid accuracy window, max bytes or model cache size");
        }
        if (sharedKeys < 1) {
            throw new IllegalArgumentException("Invalid forecaster.model.shared-keys = " + sharedKeys);
        }
        if (training.holdout() > 0 && historySize - training.holdout() < training.nSteps() + 2) {
            throw new IllegalArgumentException("Invalid forecaster.training.holdout = " + training.holdout()
                    + ": history.size - holdout must be at least n-steps + 2 = " + (training.nSteps() + 2));
        }
    }

    public int nSteps() {
        return training.nSteps();
    }

    public int nFeatures() {
        return training.nFeatures();
    }

    /** The same settings with other training settings. */
    public StreamSettings withTraining(TrainingSettings t) {
        return new StreamSettings(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations,
                minNewObservations, trainingInterval, checkInterval, accuracyWindow, maxValueBytes, modelCacheSize, t, serving, scope, sharedKeys);
    }

    /** The same settings with another model scope. */
    public StreamSettings withScope(ModelScope s) {
        return new StreamSettings(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations,
                minNewObservations, trainingInterval, checkInterval, accuracyWindow, maxValueBytes, modelCacheSize, training, serving, s, sharedKeys);
    }

    public static StreamSettings from(ForecasterConfig c) {
        var t = c.training();
        var m = c.model();
        return new StreamSettings(c.topics().input(), c.topics().output(), c.topics().deadLetter(),
                c.history().size(), c.coldStart(), t.minObservations(), t.minNewObservations(),
                t.interval(), t.checkInterval(), c.accuracy().window(), c.input().maxBytes(), m.cacheSize(),
                new TrainingSettings(m.variant(), m.nSteps(), m.nFeatures(), m.units(), t.epochs(),
                        t.warmStartEpochs(), t.learningRate(), t.seed(), t.gradientClip(), t.holdout(), t.engine()),
                new ServingSettings(c.fallback().enabled(), c.fallback().damping(), c.fallback().window(), c.fallback().minPoints(),
                        c.interval().coverage(), c.interval().window(), c.interval().adaptation(), c.interval().minErrors(),
                        c.forecast().horizon()),
                m.scope(), m.sharedKeys());
    }
}
