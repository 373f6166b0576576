package io.streamforecaster.model;

import java.util.Locale;

/**
 * What computes a training run's forward and backward passes and its Adam steps. Both train the
 * same network (the variant's LSTMs and dense output, {@link NetworkFactory}) from the same initial
 * weights with the same arithmetic, in float; a model from either has the same format and is
 * forecast by the same {@link FastForecaster}.
 */
public enum TrainingEngine {
    /**
     * Our own training path in plain Java ({@link JavaTrainer}): the same math as DL4J's, proven
     * equal by {@code TrainingParityTest}, without DL4J's per-operation overhead.
     */
    JAVA,
    /** DL4J's {@code ComputationGraph.fit}: the reference, and what trained every model before the Java engine. */
    DL4J;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrainingEngine parse(String text) {
        for (TrainingEngine e : values()) {
            if (e.id().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("Unknown training engine '" + text + "': expected java or dl4j");
    }
}
