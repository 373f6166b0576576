package io.streamforecaster.anomaly;

import io.streamforecaster.anomaly.AnomalyOutcome.Cause;

/**
 * One observation that scored at or above the anomaly threshold: what the anomalies topic gets, and
 * what {@code /series/{key}/anomalies} lists.
 *
 * @param timestamp the observation's timestamp (epoch ms)
 * @param actual its value
 * @param expected the forecast that was served for it, NaN when the key served none (its first
 *                 values, or cold start {@code skip} before its first model)
 * @param halfWidth half the width of that forecast's prediction interval, NaN when it had none
 * @param score the anomaly score, in [0, 1]
 * @param cause which part of the detector scored it
 */
public record Anomaly(long timestamp, double actual, double expected, double halfWidth, double score, Cause cause) {

    /** Bytes of one anomaly in the key's state. */
    public static final int BYTES = 8 * 5 + 1;

    /** The anomaly of an observation that {@code outcome} flagged. */
    public static Anomaly of(long timestamp, AnomalyInput in, AnomalyOutcome outcome) {
        return new Anomaly(timestamp, in.actual(), in.forecast(), in.halfWidth(), outcome.score(), outcome.cause());
    }

    /** Whether a forecast with an interval was served for the value. */
    public boolean hasInterval() {
        return Double.isFinite(expected) && Double.isFinite(halfWidth);
    }
}
