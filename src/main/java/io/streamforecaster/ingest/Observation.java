package io.streamforecaster.ingest;

/**
 * One accepted observation.
 *
 * @param values one value per feature, all finite
 * @param timestamp epoch milliseconds: the record's own, or the one the value carried
 */
public record Observation(double[] values, long timestamp) {
}
