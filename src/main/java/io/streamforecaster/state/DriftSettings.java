package io.streamforecaster.state;

/**
 * How a key's drift is detected: a Page-Hinkley test for an increase in the mean of its model's
 * one-step errors, each relative to naive's recent mean error (so the test is unitless and a change
 * that hurts naive as much does not count as the model drifting).
 *
 * @param enabled whether drift is detected (when off, keys are retrained on their schedule only)
 * @param delta the increase of the relative error's mean tolerated without counting towards a drift
 * @param threshold how far the cumulative excess may rise above its minimum before a drift is declared (Page-Hinkley's lambda)
 * @param clip relative errors above this are counted as this, so one outlier cannot declare a drift alone
 * @param minPoints points after a model's (re)check before a drift can be declared
 */
public record DriftSettings(boolean enabled, double delta, double threshold, double clip, int minPoints) {

    public DriftSettings {
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("Invalid forecaster.drift.delta = " + delta + ": must be 0 or more");
        }
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("Invalid forecaster.drift.threshold = " + threshold + ": must be above 0");
        }
        if (!(clip > 0) || !Double.isFinite(clip)) {
            throw new IllegalArgumentException("Invalid forecaster.drift.clip = " + clip + ": must be above 0");
        }
        if (minPoints < 1 || minPoints > 100_000) {
            throw new IllegalArgumentException("Invalid forecaster.drift.min-points = " + minPoints + ": must be 1 to 100000");
        }
    }

    public static DriftSettings defaults() {
        return new DriftSettings(true, 0.2, 15, 4, 32);
    }
}
