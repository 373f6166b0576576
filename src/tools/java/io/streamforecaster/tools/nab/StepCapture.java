package io.streamforecaster.tools.nab;

import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.LatestForecast;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.serving.OnlineForecaster;

/**
 * The glue between the service's per-observation step and the anomaly part, for one key: it
 * reads from the key's state what was served for a value before {@link OnlineForecaster#observe}
 * scores and replaces it (the latest forecast, its interval's half-width, the previous value), then
 * observes the value. Kept apart so that it can give way to the state's own anomaly outcome once
 * the stream computes it inside its step.
 */
final class StepCapture {

    /** What one observation gave: the anomaly part's input, and what produced the forecast judged. */
    record Captured(AnomalyInput input, Source source) {
    }

    private final OnlineForecaster online;
    private final SeriesState state;

    StepCapture(StreamSettings settings) {
        this.online = new OnlineForecaster(settings);
        this.state = online.newState();
    }

    /** Observes {@code value} with {@code model} (null: none yet) and returns what the anomaly part is given for it. */
    Captured observe(double value, long timestamp, ModelSnapshot model) {
        LatestForecast served = state.latest();
        double forecast = served.present() ? served.value(0) : Double.NaN;
        double halfWidth = served.present() ? served.halfWidth() : Double.NaN;
        double previous = state.history().size() == 0 ? Double.NaN : state.history().last(0);
        Source source = served.source();
        online.observe(state, new double[] {value}, timestamp, model);
        return new Captured(new AnomalyInput(value, forecast, halfWidth, previous), source);
    }
}
