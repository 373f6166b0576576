package io.streamforecaster.serving;

import io.streamforecaster.anomaly.Anomaly;
import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.anomaly.AnomalyOutcome;
import io.streamforecaster.anomaly.AnomalySettings;
import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.Drift;
import io.streamforecaster.state.DriftSettings;
import io.streamforecaster.state.HorizonErrors;
import io.streamforecaster.state.History;
import io.streamforecaster.state.IntervalErrors;
import io.streamforecaster.state.Judgement;
import io.streamforecaster.state.LatestForecast;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.SeriesStateCodec;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.FastForecaster;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Trainer;

/**
 * What happens to a key's state when one observation arrives, the same in the stream and in the
 * backtest: the previous forecasts are scored, the observation is appended, and the next value is
 * forecast from the key's model, or naively while it has none or while its model does worse than
 * naive (the fallback); with a prediction interval from the key's recent errors and, for a horizon
 * above 1, the values after it. The observation is also scored for anomalies against what was
 * served for it ({@link io.streamforecaster.state.Anomalies}).
 *
 * <p>Stateless apart from its settings: {@link #observe} returns what happened as a value.
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
    private final DriftSettings drift;
    private final AnomalySettings anomalySettings;

    public OnlineForecaster(StreamSettings settings) {
        this.settings = settings;
        this.drift = settings.retrain().drift();
        this.anomalySettings = settings.anomaly();
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
        return codec().empty();
    }

    /** How states of this shape are written and read. */
    public SeriesStateCodec codec() {
        return new SeriesStateCodec(settings.nFeatures(), settings.historySize(), serving.intervalWindow(), serving.servedPoints());
    }

    /**
     * What one observation did to a key.
     *
     * @param forecast whether a forecast was made (the state's {@link LatestForecast} holds it)
     * @param scoredSource the source of the forecast this observation was scored against ({@code NONE} for none)
     * @param servedError that forecast's absolute error, NaN when there was none
     * @param naiveError the naive last-value forecast's absolute error on the same point, NaN when there was none
     * @param intervalCheck +1 when the value fell inside the forecast's interval, -1 outside, 0 when it had none
     * @param fallbackChange +1 when the key just fell back to naive, -1 when it just went back to its model, else 0
     * @param driftDetected whether this observation made the key's model count as drifting
     * @param anomaly how anomalous this observation was (its score, whether it reached the threshold)
     * @param detected the anomaly to report when {@code anomaly} reached the threshold, else null
     */
    public record Observed(boolean forecast, Source scoredSource, double servedError, double naiveError,
                           int intervalCheck, int fallbackChange, boolean driftDetected, AnomalyOutcome anomaly, Anomaly detected) {

        /** Whether a previous forecast was scored. */
        public boolean scored() {
            return !Double.isNaN(servedError);
        }
    }

    /**
     * @param model the key's model, or null; one trained under other settings is treated as none
     */
    public Observed observe(SeriesState state, double[] values, long timestamp, ModelSnapshot model) {
        if (model != null && !Trainer.compatible(model, settings.training())) {
            model = null; // trained under other settings: retrained, naive meanwhile
        }
        History history = state.history();
        LatestForecast latest = state.latest();
        Judgement judgement = state.judgement();
        Source scoredSource = latest.source();
        AnomalyInput anomalyInput = anomalyInput(state, values[0]);
        AnomalyOutcome anomaly = state.anomalies().observe(timestamp, anomalyInput, anomalySettings);
        Anomaly detected = anomaly.anomaly() ? Anomaly.of(timestamp, anomalyInput, anomaly) : null;
        // what was served for this observation, before anything changes
        state.served().add(timestamp, values[0], latest, judgement.fallback() && scoredSource == Source.NAIVE,
                judgement.damped() && scoredSource == Source.LSTM);
        double servedError = Double.NaN;
        double naiveError = Double.NaN;
        int intervalCheck = 0;
        if (latest.present() && history.size() > 0) {
            servedError = Math.abs(values[0] - latest.value(0));
            naiveError = Math.abs(values[0] - history.last(0));
            state.accuracy().add(servedError, naiveError, accuracyAlpha);
            IntervalErrors interval = state.interval();
            double half = latest.halfWidth();
            if (Double.isFinite(half)) { // adaptive conformal: miss more than the target, widen; less, narrow
                double level = Double.isNaN(interval.missLevel()) ? targetMiss : interval.missLevel();
                double miss = servedError > half ? 1 : 0;
                intervalCheck = miss > 0 ? -1 : 1;
                // bounded, so that a long run of misses (or hits) cannot leave it far out of reach
                interval.missLevel(Math.max(-0.5, Math.min(1, level + serving.intervalAdaptation() * (targetMiss - miss))));
            }
            interval.add(servedError);
        }
        boolean driftDetected = false;
        if (history.size() > 0) {
            double scale = judgement.naiveMae(); // naive's recent error before this point: the drift test's unit
            double modelError = judgement.score(values[0], history.last(0), judgeAlpha);
            double relative = scale > 0 ? modelError / scale : Double.NaN;
            driftDetected = state.drift().observe(model == null ? 0 : model.assessment().checkedAt(), relative,
                    history.observations() + 1, drift) == Drift.Change.DETECTED;
        }
        int h = serving.horizon();
        if (h > 1) {
            state.horizon().score(values[0], history.observations() + 1, h, residualAlpha, targetMiss, QUANTILE_RATE);
        } else if (state.horizon().steps() > 0) {
            state.horizon().clear(); // kept from when the horizon was longer
        }
        history.append(values, timestamp);

        if (history.size() < nSteps) {
            latest.clear();
            judgement.recordModelForecast(Double.NaN);
            if (h > 1) {
                state.horizon().record(null, history.observations(), h);
            }
            return new Observed(false, scoredSource, servedError, naiveError, intervalCheck, 0, driftDetected, anomaly, detected);
        }
        int fallbackChange = 0;
        double[][] window = history.lastRows(nSteps);
        double[] lstm = null;
        if (model != null) {
            if (judgement.version() != model.version()) {
                var a = model.assessment();
                if (model.scaler().perWindow()) { // a shared model's held-out errors are relative, not this key's: judge it online
                    judgement.judge(model.version(), 0, Double.NaN, Double.NaN, judgeAlpha);
                } else {
                    judgement.judge(model.version(), a.holdoutPoints(), a.holdoutMae(), a.holdoutNaiveMae(), judgeAlpha);
                }
            }
            lstm = FastForecaster.forecast(model, window);
            if (!allFinite(lstm)) {
                lstm = null;
            }
            fallbackChange = decideFallback(judgement);
        } else if (judgement.fallback()) {
            judgement.fallback(false);
            fallbackChange = -1;
        }
        judgement.recordModelForecast(lstm == null ? Double.NaN : lstm[0]);

        double[] served;
        Source source;
        long version;
        if (lstm != null && !judgement.fallback()) {
            served = judgement.damped() ? damp(lstm, history.lastRow()) : lstm;
            source = Source.LSTM;
            version = model.version();
        } else if (model == null && coldStart == ColdStart.SKIP) {
            latest.clear();
            if (h > 1) {
                state.horizon().record(null, history.observations(), h);
            }
            return new Observed(false, scoredSource, servedError, naiveError, intervalCheck, fallbackChange, driftDetected, anomaly, detected);
        } else {
            served = history.lastRow();
            source = Source.NAIVE;
            version = 0;
        }
        double half = halfWidth(state.interval());
        double[] horizon = h > 1 ? horizon(window, lstm, source == Source.LSTM ? model : null, served[0]) : null;
        if (horizon != null && source == Source.LSTM && judgement.damped()) {
            double last = window[window.length - 1][0];
            for (int i = 0; i < horizon.length; i++) {
                horizon[i] = last + Judgement.DAMPING * (horizon[i] - last);
            }
        }
        latest.record(served, source, version, half, horizon);
        if (horizon != null) {
            state.horizon().record(horizon, history.observations(), h);
            if (Double.isFinite(half)) {
                latest.stepHalfWidths(stepHalfWidths(state.horizon(), half, h));
            }
        }
        return new Observed(true, scoredSource, servedError, naiveError, intervalCheck, fallbackChange, driftDetected, anomaly, detected);
    }

    /**
     * What the anomaly part is given for {@code value}, read from the key's state before the value
     * changes it: the forecast served for it (NaN: none), its interval's half-width and the value
     * before. Public so that the NAB command gives its cached traces exactly this.
     */
    public static AnomalyInput anomalyInput(SeriesState state, double value) {
        LatestForecast served = state.latest();
        double forecast = served.present() ? served.value(0) : Double.NaN;
        double halfWidth = served.present() ? served.halfWidth() : Double.NaN;
        double previous = state.history().size() == 0 ? Double.NaN : state.history().last(0);
        return new AnomalyInput(value, forecast, halfWidth, previous);
    }

    /**
     * Picks what the key serves from its model's recent errors: the model's forecast, the damped
     * one, or naive (the fallback), whichever did best; the model alone until it was judged on
     * enough points.
     *
     * @return +1 when the key just fell back to naive, -1 when it just went back to its model, else 0
     */
    private int decideFallback(Judgement judgement) {
        boolean judged = judgement.points() >= serving.fallbackMinPoints();
        double m = judgement.modelMae();
        double d = serving.damping() ? judgement.dampedMae() : Double.POSITIVE_INFINITY;
        double n = judgement.naiveMae();
        judgement.damped(judged && d < m && !(serving.fallback() && n < d));
        boolean worse = serving.fallback() && judged && n < Math.min(m, d);
        if (worse && !judgement.fallback()) {
            judgement.fallback(true);
            return 1;
        } else if (!worse && judgement.fallback()) {
            judgement.fallback(false);
            return -1;
        }
        return 0;
    }

    /**
     * Split-conformal: the {@code ceil((n + 1)(1 - a))}-th smallest of the key's last {@code n}
     * absolute errors, {@code a} being the adaptive miss level; NaN while it has too few.
     */
    private double halfWidth(IntervalErrors errors) {
        int n = errors.count();
        if (n < serving.minResiduals()) {
            return Double.NaN;
        }
        double level = Double.isNaN(errors.missLevel()) ? targetMiss : errors.missLevel();
        int rank = (int) Math.ceil((n + 1) * (1 - level)); // 1-based
        if (rank <= 0) {
            return 0;
        }
        return errors.smallest(Math.min(rank, n) - 1);
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
            if (!allFinite(next)) { // a model fed its own forecasts can run away: the steps from here keep the last finite value
                java.util.Arrays.fill(out, step, h, out[step - 1]);
                break;
            }
            out[step] = next[0];
        }
        return out;
    }

    private static double[] damp(double[] forecast, double[] last) {
        double[] out = new double[forecast.length];
        for (int f = 0; f < out.length; f++) {
            out[f] = last[f] + Judgement.DAMPING * (forecast[f] - last[f]);
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
    private double[] stepHalfWidths(HorizonErrors errors, double half, int h) {
        double[] w = new double[h];
        w[0] = half;
        for (int k = 2; k <= h; k++) {
            double q = errors.stepQuantile(k);
            double own = errors.stepWeight(k) >= minStepWeight && Double.isFinite(q) ? q : half * Math.sqrt(k);
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
}
