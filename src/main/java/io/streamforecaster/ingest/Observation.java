package io.streamforecaster.ingest;

/**
 * One accepted observation.
 *
 * @param key the series id: valid UTF-8, not empty, no control characters, within the configured length
 * @param values one value per feature, all finite and within the configured magnitude
 * @param timestamp epoch milliseconds, from 0 (1970) to {@link ObservationParser#MAX_TIMESTAMP} (year 9999):
 *                  the record's own, or the one the value carried
 */
public record Observation(String key, double[] values, long timestamp) {
}
