package io.streamforecaster.serving;

/**
 * How forecasts are served from a key's model and state.
 *
 * @param fallback whether a key whose model does worse than naive serves naive until it does better
 * @param damping whether a key may also serve its model's forecast change halved, when that did best recently
 * @param fallbackWindow the model and naive are compared over about this many recent points (exponentially weighted)
 * @param fallbackMinPoints points (held-out, then online) a model is judged on before it can be set aside
 * @param coverage the share of actual values a prediction interval should hold, in (0, 1)
 * @param intervalWindow recent one-step errors per key that intervals are built from
 * @param intervalAdaptation step of adaptive conformal inference: how fast the interval's level follows its misses (0 = plain split-conformal)
 * @param minResiduals errors a key needs before its forecasts carry an interval
 * @param horizon values forecast ahead (1 = the next value only)
 * @param servedPoints the last observations whose served forecast each key keeps, for its history (0: none)
 */
public record ServingSettings(boolean fallback, boolean damping, int fallbackWindow, int fallbackMinPoints, double coverage,
                              int intervalWindow, double intervalAdaptation, int minResiduals, int horizon, int servedPoints) {

    public ServingSettings(boolean fallback, boolean damping, int fallbackWindow, int fallbackMinPoints, double coverage,
                           int intervalWindow, double intervalAdaptation, int minResiduals, int horizon) {
        this(fallback, damping, fallbackWindow, fallbackMinPoints, coverage, intervalWindow, intervalAdaptation, minResiduals, horizon,
                io.streamforecaster.state.SeriesState.DEFAULT_SERVED);
    }

    public ServingSettings {
        if (fallbackWindow < 1 || fallbackWindow > 1_000_000 || fallbackMinPoints < 0) {
            throw new IllegalArgumentException("Invalid forecaster.fallback.window = " + fallbackWindow
                    + " or forecaster.fallback.min-points = " + fallbackMinPoints);
        }
        if (!(coverage > 0 && coverage < 1)) {
            throw new IllegalArgumentException("Invalid forecaster.interval.coverage = " + coverage + ": must be between 0 and 1");
        }
        if (intervalWindow < 1 || intervalWindow > 10_000 || minResiduals < 1 || minResiduals > intervalWindow) {
            throw new IllegalArgumentException("Invalid forecaster.interval.window = " + intervalWindow
                    + " or forecaster.interval.min-errors = " + minResiduals);
        }
        if (!(intervalAdaptation >= 0 && intervalAdaptation < 1)) {
            throw new IllegalArgumentException("Invalid forecaster.interval.adaptation = " + intervalAdaptation);
        }
        if (servedPoints < 0 || servedPoints > 10_000) {
            throw new IllegalArgumentException("Invalid forecaster.history.served-points = " + servedPoints + ": must be 0 to 10000");
        }
        if (horizon < 1 || horizon > 1000) {
            throw new IllegalArgumentException("Invalid forecaster.forecast.horizon = " + horizon + ": must be 1 to 1000");
        }
    }

    /** The shipped defaults. */
    public static ServingSettings defaults() {
        return new ServingSettings(true, true, 64, 16, 0.9, 100, 0.05, 10, 1);
    }

    public ServingSettings withHorizon(int h) {
        return new ServingSettings(fallback, damping, fallbackWindow, fallbackMinPoints, coverage, intervalWindow, intervalAdaptation, minResiduals, h,
                servedPoints);
    }
}
