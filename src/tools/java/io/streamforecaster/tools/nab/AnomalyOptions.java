package io.streamforecaster.tools.nab;

import io.streamforecaster.anomaly.AnomalySettings;
import java.util.Map;
import java.util.Set;

/** {@code forecaster.anomaly.*} settings given on the command line, over the shipped defaults. */
final class AnomalyOptions {

    static final String PREFIX = "forecaster.anomaly.";
    static final Set<String> NAMES = Set.of("threshold", "warm-up", "memory", "averaging-window", "level-window",
            "volatility-window", "range-scale", "quiet");

    private AnomalyOptions() {
    }

    /** The defaults with {@code overrides} (keys under {@link #PREFIX}) applied. */
    static AnomalySettings settings(Map<String, String> overrides) {
        for (String key : overrides.keySet()) {
            if (key.startsWith(PREFIX) && !NAMES.contains(key.substring(PREFIX.length()))) {
                throw new IllegalArgumentException("unknown setting " + key + "; the anomaly settings are " + PREFIX + NAMES);
            }
        }
        AnomalySettings d = AnomalySettings.defaults();
        return new AnomalySettings(
                number(overrides, "threshold", d.threshold()),
                whole(overrides, "warm-up", d.warmUp()),
                whole(overrides, "memory", d.memory()),
                whole(overrides, "averaging-window", d.averagingWindow()),
                whole(overrides, "level-window", d.levelWindow()),
                whole(overrides, "volatility-window", d.volatilityWindow()),
                number(overrides, "range-scale", d.rangeScale()),
                whole(overrides, "quiet", d.quiet()));
    }

    private static double number(Map<String, String> overrides, String name, double fallback) {
        String v = overrides.get(PREFIX + name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + name + " must be a number, got '" + v + "'");
        }
    }

    private static int whole(Map<String, String> overrides, String name, int fallback) {
        String v = overrides.get(PREFIX + name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + name + " must be a whole number, got '" + v + "'");
        }
    }
}
