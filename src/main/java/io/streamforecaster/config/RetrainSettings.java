package io.streamforecaster.config;

import io.streamforecaster.state.DriftSettings;
import java.time.Duration;

/**
 * When keys that have a model are retrained beyond {@code training.interval}: a key whose model
 * keeps beating its challengers is retrained less often, its interval doubling with each defence
 * up to {@code maxInterval}; a drifting key (or one in fallback) is due again at the base interval.
 *
 * @param maxInterval the longest a well-performing model goes between retrains
 * @param drift how drift is detected
 */
public record RetrainSettings(Duration maxInterval, DriftSettings drift) {

    public RetrainSettings {
        StreamSettings.positive("forecaster.training.max-interval", maxInterval, Duration.ZERO, Duration.ofDays(365));
        if (drift == null) {
            throw new IllegalArgumentException("Drift settings are required");
        }
    }

    public static RetrainSettings defaults() {
        return new RetrainSettings(Duration.ofMinutes(30), DriftSettings.defaults());
    }
}
