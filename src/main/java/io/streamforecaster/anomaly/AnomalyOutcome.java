package io.streamforecaster.anomaly;

/**
 * What the anomaly part concluded about one observation.
 *
 * @param score how anomalous the observation is, in [0, 1]: 0 while the key warms up, 0.5 and
 *              above for one that sets a record (see {@link AnomalyState}), at most 0.3 while the
 *              part that scored an anomaly is quiet
 * @param anomaly whether {@code score} reached the threshold ({@code forecaster.anomaly.threshold})
 * @param surprise the forecast's error in units of its interval's half-width (above 1: outside
 *                 the interval; infinite for a miss of a zero-width one), NaN when the value had no
 *                 forecast with an interval
 * @param cause which part scored highest
 */
public record AnomalyOutcome(double score, boolean anomaly, double surprise, Cause cause) {

    /** What an anomaly score came from. */
    public enum Cause {
        /** Nothing scored: no forecast, warm-up, or nothing unusual at all. */
        NONE,
        /** The forecast's error, or the recent average error, neared or passed the key's largest lately. */
        FORECAST,
        /** The value lies beyond the lowest or highest the key has ever shown. */
        RANGE,
        /** The key's level (its recent average) lies beyond any level it has had. */
        LEVEL,
        /** The key's volatility (its recent average change) is above any it has had. */
        VOLATILITY
    }
}
