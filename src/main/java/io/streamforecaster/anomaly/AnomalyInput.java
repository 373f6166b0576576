package io.streamforecaster.anomaly;

/**
 * What the anomaly part of a key's state needs of one observation, taken when the actual value
 * arrives: the value, and the forecast the key served for it (made before the value was known).
 *
 * @param actual the value just observed
 * @param forecast the forecast that was served for it, NaN when the key had none (its first value,
 *                 or cold start {@code skip} before its first model)
 * @param halfWidth half the width of that forecast's prediction interval, NaN when it had none
 *                  (too few errors yet)
 * @param previous the key's value before this one (the naive forecast), NaN for its first value
 */
public record AnomalyInput(double actual, double forecast, double halfWidth, double previous) {

    /** The served forecast's absolute error, NaN without a forecast. */
    public double error() {
        return Math.abs(actual - forecast);
    }
}
