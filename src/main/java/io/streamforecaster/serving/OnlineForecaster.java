package io.streamforecaster.serving;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.history.SeriesState;
import io.streamforecaster.history.SeriesState.Source;
import io.streamforecaster.model.FastForecaster;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Trainer;

/**
 * What happens to a key's state when one observation arrives, the same in the stream and in the
 * backtest: the previous forecasts are scored, the observation is appended, and the next value is
 * forecast from the key's model, or naively while it has none or while its model does worse than
 * naive (the fallback); with a prediction interval from the key's recent errors and, for a horizon
 * above 1, the values after it.
 *
 * <p>Not thread-safe: one instance per stream task (or backtest job). After {@link #observe} the
 * fields of what happened can be read from the accessors.
 */
public final class OnlineForecaster {

    private final int nSteps;
    private final ColdStart coldStart;
    private final ServingSettings serving;
    private final double accuracyAlpha;
    private final double judgeAlpha;
    private final double targetMiss;
    private final double residualAlpha;
    private final double minStepWeight;
    private final StreamSettings settings;

    // what the last observe() did
    private double[] scoredErrors;
    private Source scoredSource;
    private int fallbackChange;
    private int intervalCheck;

    public OnlineForecaster(StreamSettings settings) {
        this.settings = settings;
        this.nSteps = settings.nSteps();
        this.coldStart = settings.coldStart();
        this.serving = settings.serving();
        this.accuracyAlpha = 2.0 / (settings.accuracyWindow() + 1);
        this.judgeAlpha = 2.0 / (serving.fallbackWindow() + 1);
        this.targetMiss = 1 - serving.coverage();
        this.residualAlpha = 2.0 / (serving.intervalWindow() + 1);
        this.minStepWeight = 1 - Math.pow(1 - residualAlpha, serving.minResiduals());
    }

    /** A new, empty state of the configured shape. */
    public SeriesState newState() {
        return new SeriesState(settings.nFeatures(), settings.historySize(), serving.intervalWindow());
    }

    /**
     * @param model the key's model, or null; one trained under other settings is treated as none
     * @return whether a forecast was made (the state holds it)
     */
    public boolean observe(SeriesState state, double[] values, long timestamp, ModelSnapshot model) {
        if (model != null && !Trainer.compatible(model, settings.training())) {
            model = null; // trained under other settings: retrained, naive meanwhile
        }
        scoredSource = state.forecastSource();
        scoredErrors = state.score(values, accuracyAlpha);
        intervalCheck = 0;
        if (scoredErrors != null) {
            double half = state.halfWidth();
            if (Double.isFinite(half)) { // adaptive conformal: miss more than the target, widen; less, narrow
                double level = Double.isNaN(state.missLevel()) ? targetMiss : state.missLevel();
                double miss = scoredErrors[0] > half ? 1 : 0;
                intervalCheck = miss > 0 ? -1 : 1;
                // bounded, so that a long run of misses (or hits) cannot leave it far out of reach
                state.missLevel(Math.max(-0.5, Math.min(1, level + serving.intervalAdaptation() * (targetMiss - miss))));
            }
            state.addResidual(scoredErrors[0]);
        }
        state.scoreModel(values[0], judgeAlpha);
        int h = serving.horizon();
        if (h > 1) {
            state.scoreSteps(values[0], h, residualAlpha, targetMiss, QUANTILE_RATE);
        }
        state.append(values, timestamp);

        fallbackChange = 0;
        if (state.size() < nSteps) {
            state.clearForecast();
            state.recordModelForecast(Double.NaN);
            if (h > 1) {
                state.recordHorizon(null, h);
            }
            return false;
        }
        double[][] window = state.lastRows(nSteps);
        double[] lstm = null;
        if (model != null) {
            if (state.judgedVersion() != model.version()) {
                var a = model.assessment();
                if (model.scaler().perWindow()) { // a shared model's held-out errors are relative, not this key's: judge it online
                    state.judge(model.version(), 0, Double.NaN, Double.NaN, judgeAlpha);
                } else {
                    state.judge(model.version(), a.holdoutPoints(), a.holdoutMae(), a.holdoutNaiveMae(), judgeAlpha);
                }
            }
            lstm = FastForecaster.forecast(model, window);
            if (!allFinite(lstm)) {
                lstm = null;
            }
            decideFallback(state);
        } else if (state.fallback()) {
            state.fallback(false);
            fallbackChange = -1;
        }
        state.recordModelForecast(lstm == null ? Double.NaN : lstm[0]);

        double[] served;
        Source source;
        long version;
        if (lstm != null && !state.fallback()) {
            served = state.damped() ? damp(lstm, state.lastRow()) : lstm;
            source = Source.LSTM;
            version = model.version();
        } else if (model == null && coldStart == ColdStart.SKIP) {
            state.clearForecast();
            if (h > 1) {
                state.recordHorizon(null, h);
            }
            return false;
        } else {
            served = state.lastRow();
            source = Source.NAIVE;
            version = 0;
        }
        double half = halfWidth(state);
        double[] horizon = serving.horizon() > 1 ? horizon(window, lstm, source == Source.LSTM ? model : null, served[0]) : null;
        if (horizon != null && source == Source.LSTM && state.damped()) {
            double last = window[window.length - 1][0];
            for (int i = 0; i < horizon.length; i++) {
                horizon[i] = last + SeriesState.DAMPING * (horizon[i] - last);
            }
        }
        state.recordForecast(served, source, version, half, horizon);
        if (horizon != null) {
            state.recordHorizon(horizon, h);
            if (Double.isFinite(half)) {
                state.stepHalfWidths(stepHalfWidths(state, half, h));
            }
        }
        return true;
    }

    /**
     * Picks what the key serves from its model's recent errors: the model's forecast, the damped
     * one, or naive (the fallback), whichever did best; the model alone until it was judged on
     * enough points.
     */
    private void decideFallback(SeriesState state) {
        boolean judged = state.judgedPoints() >= serving.fallbackMinPoints();
        double m = state.judgedModelMae();
        double d = serving.damping() ? state.judgedDampedMae() : Double.POSITIVE_INFINITY;
        double n = state.judgedNaiveMae();
        state.damped(judged && d < m && !(serving.fallback() && n < d));
        boolean worse = serving.fallback() && judged && n < Math.min(m, d);
        if (worse && !state.fallback()) {
            state.fallback(true);
            fallbackChange = 1;
        } else if (!worse && state.fallback()) {
            state.fallback(false);
            fallbackChange = -1;
        }
    }

    /**
     * Split-conformal: the {@code ceil((n + 1)(1 - a))}-th smallest of the key's last {@code n}
     * absolute errors, {@code a} being the adaptive miss level; NaN while it has too few.
     */
    private double halfWidth(SeriesState state) {
        int n = state.residualCount();
        if (n < serving.minResiduals()) {
            return Double.NaN;
        }
        double level = Double.isNaN(state.missLevel()) ? targetMiss : state.missLevel();
        int rank = (int) Math.ceil((n + 1) * (1 - level)); // 1-based
        if (rank <= 0) {
            return 0;
        }
        return state.residual(Math.min(rank, n) - 1);
    }

    /** The next H values of the first feature: the model (or the last value) fed its own forecasts. */
    private double[] horizon(double[][] window, double[] first, ModelSnapshot model, double naive) {
        int h = serving.horizon();
        double[] out = new double[h];
        if (model == null) {
            java.util.Arrays.fill(out, naive);
            return out;
        }
        out[0] = first[0];
        double[][] w = window.clone();
        double[] next = first;
        for (int step = 1; step < h; step++) {
            System.arraycopy(w, 1, w, 0, w.length - 1);
            w[w.length - 1] = next;
            next = FastForecaster.forecast(model, w);
            out[step] = next[0];
        }
        return out;
    }

    private static double[] damp(double[] forecast, double[] last) {
        double[] out = new double[forecast.length];
        for (int f = 0; f < out.length; f++) {
            out[f] = last[f] + SeriesState.DAMPING * (forecast[f] - last[f]);
        }
        return out;
    }

    /** How fast a step's tracked error quantile moves, relative to the step's mean error. */
    static final double QUANTILE_RATE = 0.1;

    /**
     * Each step's half-width: step 1's is the conformal one; step k's is the tracked quantile of
     * that step's own errors once it was scored on enough points (√k × step 1's before); never
     * narrower than the step before.
     */
    private double[] stepHalfWidths(SeriesState state, double half, int h) {
        double[] w = new double[h];
        w[0] = half;
        for (int k = 2; k <= h; k++) {
            double q = state.stepQuantile(k);
            double own = state.stepWeight(k) >= minStepWeight && Double.isFinite(q) ? q : half * Math.sqrt(k);
            w[k - 1] = Math.max(w[k - 2], own);
        }
        return w;
    }

    /** Half-width of step {@code step} (1-based) from that of step 1 when a key has no step errors yet: as a random walk's. */
    public static double widen(double halfWidth, int step) {
        return halfWidth * Math.sqrt(step);
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The served forecast's absolute error and the naive one's on the point just observed, or null. */
    public double[] scoredErrors() {
        return scoredErrors;
    }

    /** The source of the forecast that was just scored. */
    public Source scoredSource() {
        return scoredSource;
    }

    /** +1 when the key just fell back to naive, -1 when it just went back to its model, else 0. */
    public int fallbackChange() {
        return fallbackChange;
    }

    /** +1 when the value just observed fell inside its forecast's interval, -1 outside, 0 when there was none. */
    public int intervalCheck() {
        return intervalCheck;
    }
}
