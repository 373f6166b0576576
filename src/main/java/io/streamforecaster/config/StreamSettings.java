package io.streamforecaster.config;

import io.streamforecaster.anomaly.AnomalySettings;
import io.streamforecaster.ingest.InputSettings;
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
        InputSettings input,
        TrainingSettings training,
        ServingSettings serving,
        ModelScope scope,
        int sharedKeys,
        RetrainSettings retrain,
        AnomalySettings anomaly,
        String anomaliesTopic) {

    /** With the default anomaly settings and no anomalies topic. */
    public StreamSettings(String inputTopic, String outputTopic, String deadLetterTopic, int historySize, ColdStart coldStart,
                          int minObservations, int minNewObservations, Duration trainingInterval, Duration checkInterval,
                          int accuracyWindow, InputSettings input, TrainingSettings training, ServingSettings serving,
                          ModelScope scope, int sharedKeys, RetrainSettings retrain) {
        this(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations, minNewObservations, trainingInterval,
                checkInterval, accuracyWindow, input, training, serving, scope, sharedKeys, retrain, AnomalySettings.defaults(), null);
    }

    /** With the default retraining schedule. */
    public StreamSettings(String inputTopic, String outputTopic, String deadLetterTopic, int historySize, ColdStart coldStart,
                          int minObservations, int minNewObservations, Duration trainingInterval, Duration checkInterval,
                          int accuracyWindow, InputSettings input, TrainingSettings training, ServingSettings serving,
                          ModelScope scope, int sharedKeys) {
        this(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations, minNewObservations, trainingInterval,
                checkInterval, accuracyWindow, input, training, serving, scope, sharedKeys, RetrainSettings.defaults());
    }

    /** Longest history a key keeps: its state is one record, which must fit a Kafka request. */
    public static final int MAX_HISTORY = 100_000;
    /** Values of all of one training job's windows ({@code history.size × n-steps × n-features}). */
    public static final long MAX_WINDOW_VALUES = 1L << 24;

    public StreamSettings {
        if (anomaliesTopic != null && anomaliesTopic.isBlank()) {
            throw new IllegalArgumentException("Invalid forecaster.topics.anomalies = '" + anomaliesTopic + "': must be a topic name or unset");
        }
        distinctTopics(inputTopic, outputTopic, deadLetterTopic, anomaliesTopic);
        if (historySize > MAX_HISTORY) {
            throw new IllegalArgumentException("Invalid forecaster.history.size = " + historySize + ": must be at most " + MAX_HISTORY);
        }
        long windowValues = (long) historySize * training.nSteps() * training.nFeatures();
        if (windowValues > MAX_WINDOW_VALUES) {
            throw new IllegalArgumentException("Invalid forecaster.history.size = " + historySize + " with forecaster.model.n-steps = "
                    + training.nSteps() + " and n-features = " + training.nFeatures() + ": a training job's windows would hold "
                    + windowValues + " values, more than " + MAX_WINDOW_VALUES);
        }
        positive("forecaster.training.check-interval", checkInterval, Duration.ofMillis(10), Duration.ofHours(1));
        // not 0: a model that keeps beating its challengers is retrained less often by doubling it
        positive("forecaster.training.interval", trainingInterval, Duration.ofMillis(1), Duration.ofDays(365));
        if (retrain.maxInterval().compareTo(trainingInterval) < 0) {
            throw new IllegalArgumentException("Invalid forecaster.training.max-interval = " + retrain.maxInterval()
                    + ": must be at least forecaster.training.interval = " + trainingInterval);
        }
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
        if (sharedKeys > 100_000) {
            throw new IllegalArgumentException("Invalid forecaster.model.shared-keys = " + sharedKeys + ": must be at most 100000");
        }
        if (accuracyWindow < 1) {
            throw new IllegalArgumentException("Invalid forecaster.accuracy.window = " + accuracyWindow);
        }
        if (sharedKeys < 1) {
            throw new IllegalArgumentException("Invalid forecaster.model.shared-keys = " + sharedKeys);
        }
        if (training.holdout() > 0 && historySize - training.holdout() < training.nSteps() + 2) {
            throw new IllegalArgumentException("Invalid forecaster.training.holdout = " + training.holdout()
                    + ": history.size - holdout must be at least n-steps + 2 = " + (training.nSteps() + 2));
        }
    }

    /**
     * The service's topics must be four different ones: writing forecasts, dead letters or anomalies
     * to the input topic would feed the service its own output, and mixing two kinds of output in
     * one topic would leave their readers unable to tell them apart.
     */
    static void distinctTopics(String input, String output, String deadLetter, String anomalies) {
        String[][] topics = {{"forecaster.topics.input", input}, {"forecaster.topics.output", output},
                {"forecaster.topics.dead-letter", deadLetter}, {"forecaster.topics.anomalies", anomalies}};
        for (int i = 0; i < topics.length; i++) {
            for (int j = i + 1; j < topics.length; j++) {
                if (topics[i][1] != null && topics[i][1].equals(topics[j][1])) {
                    throw new IllegalArgumentException("Invalid " + topics[j][0] + " = '" + topics[j][1] + "': it is also "
                            + topics[i][0] + "; each of the service's topics must be a topic of its own");
                }
            }
        }
    }

    /** Checks that a duration setting is given and within [min, max]. */
    static void positive(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("Invalid " + name + " = " + d + ": must be from " + min + " to " + max);
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
                minNewObservations, trainingInterval, checkInterval, accuracyWindow, input, t, serving, scope, sharedKeys, retrain, anomaly, anomaliesTopic);
    }

    /** The same settings with another model scope. */
    public StreamSettings withScope(ModelScope s) {
        return new StreamSettings(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations,
                minNewObservations, trainingInterval, checkInterval, accuracyWindow, input, training, serving, s, sharedKeys, retrain, anomaly, anomaliesTopic);
    }

    /** The same settings with other anomaly settings and anomalies topic (null: none). */
    public StreamSettings withAnomaly(AnomalySettings a, String topic) {
        return new StreamSettings(inputTopic, outputTopic, deadLetterTopic, historySize, coldStart, minObservations,
                minNewObservations, trainingInterval, checkInterval, accuracyWindow, input, training, serving, scope, sharedKeys, retrain,
                a, topic);
    }

    public static StreamSettings from(ForecasterConfig c) {
        var t = c.training();
        var m = c.model();
        return new StreamSettings(c.topics().input(), c.topics().output(), c.topics().deadLetter(),
                c.history().size(), c.coldStart(), t.minObservations(), t.minNewObservations(),
                t.interval(), t.checkInterval(), c.accuracy().window(),
                new InputSettings(c.input().maxBytes(), c.input().maxKeyBytes(), c.input().maxAbsValue()),
                new TrainingSettings(m.variant(), m.nSteps(), m.nFeatures(), m.units(), t.epochs(),
                        t.warmStartEpochs(), t.learningRate(), t.seed(), t.gradientClip(), t.holdout(), t.engine()),
                new ServingSettings(c.fallback().enabled(), c.fallback().damping(), c.fallback().window(), c.fallback().minPoints(),
                        c.interval().coverage(), c.interval().window(), c.interval().adaptation(), c.interval().minErrors(),
                        c.forecast().horizon(), c.history().servedPoints()),
                m.scope(), m.sharedKeys(),
                new RetrainSettings(t.maxInterval(), new io.streamforecaster.state.DriftSettings(c.drift().enabled(), c.drift().delta(),
                        c.drift().threshold(), c.drift().clip(), c.drift().minPoints())),
                new AnomalySettings(c.anomaly().threshold(), c.anomaly().warmUp(), c.anomaly().memory(), c.anomaly().averagingWindow(),
                        c.anomaly().levelWindow(), c.anomaly().volatilityWindow(), c.anomaly().rangeScale(), c.anomaly().quiet()),
                c.topics().anomalies().orElse(null));
    }
}
