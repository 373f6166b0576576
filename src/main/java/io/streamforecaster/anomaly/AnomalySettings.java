package io.streamforecaster.anomaly;

/**
 * How anomaly scores are computed and when one is an anomaly. The defaults were chosen on the
 * Numenta Anomaly Benchmark (ANOMALIES.md).
 *
 * @param threshold a score at or above it is an anomaly, and quiets the part that scored it
 *                  ({@code forecaster.anomaly.threshold}); above 0.3 (what a quiet part scores at
 *                  most) and at most 1
 * @param warmUp observations a key has before its scores count, while it learns its range and
 *               its usual errors ({@code forecaster.anomaly.warm-up})
 * @param memory observations over which a key's largest recent forecast error fades to half: an
 *               error counts when it nears the largest of about this many recent ones
 *               ({@code forecaster.anomaly.memory})
 * @param averagingWindow forecast errors are also averaged over about this many observations, for
 *                        bursts of moderate errors ({@code forecaster.anomaly.averaging-window})
 * @param levelWindow the key's level is its values averaged over about this many observations
 *                    ({@code forecaster.anomaly.level-window})
 * @param volatilityWindow the key's volatility is its absolute changes averaged over about this
 *                         many observations ({@code forecaster.anomaly.volatility-window})
 * @param rangeScale how far beyond a range, as a share of the range, a value (or the level, or
 *                   the volatility) must lie to score 0.75 ({@code forecaster.anomaly.range-scale})
 * @param quiet after an anomaly, the part that scored it is held at 0.3 until it has gone this
 *              many observations without another ({@code forecaster.anomaly.quiet})
 */
public record AnomalySettings(double threshold, int warmUp, int memory, int averagingWindow, int levelWindow, int volatilityWindow,
                              double rangeScale, int quiet) {

    public AnomalySettings {
        if (!(threshold > AnomalyState.QUIET_SCORE && threshold <= 1)) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.threshold = " + threshold + ": must be above "
                    + AnomalyState.QUIET_SCORE + " and at most 1");
        }
        if (warmUp < 0) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.warm-up = " + warmUp + ": must be at least 0");
        }
        if (memory < 1) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.memory = " + memory + ": must be at least 1");
        }
        if (averagingWindow < 1) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.averaging-window = " + averagingWindow + ": must be at least 1");
        }
        if (levelWindow < 1) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.level-window = " + levelWindow + ": must be at least 1");
        }
        if (volatilityWindow < 1) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.volatility-window = " + volatilityWindow + ": must be at least 1");
        }
        if (!(rangeScale > 0) || Double.isInfinite(rangeScale)) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.range-scale = " + rangeScale + ": must be a positive number");
        }
        if (quiet < 0 || quiet > Short.MAX_VALUE) {
            throw new IllegalArgumentException("Invalid forecaster.anomaly.quiet = " + quiet + ": must be 0 to " + Short.MAX_VALUE);
        }
    }

    /** The shipped defaults: the threshold is the one NAB's sweep chose for its standard profile with them. */
    public static AnomalySettings defaults() {
        return new AnomalySettings(0.587, 200, 4000, 20, 30, 80, 0.08, 100);
    }

    /** How much a key's largest recent error keeps per observation: halved over {@link #memory} observations. */
    double decay() {
        return Math.pow(0.5, 1.0 / memory);
    }

    /** The weight of the newest observation in an average over about {@code window} observations. */
    static double alpha(int window) {
        return 2.0 / (window + 1);
    }
}
