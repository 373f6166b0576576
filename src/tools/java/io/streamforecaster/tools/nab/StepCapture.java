package io.streamforecaster.tools.nab;

import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.history.SeriesState;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.serving.OnlineForecaster;

/**
 * The glue between the service's per-observation step and the anomaly part, for one key: it
 * reads from the key's state what was served for a value before {@link OnlineForecaster#observe}
 * scores and replaces it (the forecast, its interval's half-width, the previous value), then
 * observes the value. Kept apart so that it can give way to the state's own anomaly outcome once
 * the stream computes it inside its step.
 */
final class StepCapture {

    /** What one observation gave: the anomaly part's input, and what produced the forecast judged. */
    record Captured(AnomalyInput input, SeriesState.Source source) {
    }

    private final OnlineForecaster online;
    private final SeriesState state;

    StepCapture(StreamSettings settings) {
        this.online = new OnlineForecaster(settings);
        this.state = online.newState();
    }

    /** Observes {@code value} with {@code model} (null: none yet) and returns what the anomaly part is given for it. */
    Captured observe(double value, long timestamp, ModelSnapshot model) {
        double[] served = state.forecast();
        double forecast = served == null ? Double.NaN : served[0];
        double halfWidth = served == null ? Double.NaN : state.halfWidth();
        double previous = state.size() == 0 ? Double.NaN : state.value(state.size() - 1, 0);
        SeriesState.Source source = state.forecastSource();
        online.observe(state, new double[] {value}, timestamp, model);
        return new Captured(new AnomalyInput(value, forecast, halfWidth, previous), source);
    }
}
