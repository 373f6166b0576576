package io.streamforecaster.tools.nab;

import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.serving.OnlineForecaster;

/**
 * The glue between the service's per-observation step and the anomaly part, for one key: it takes
 * the anomaly part's input exactly as {@link OnlineForecaster#observe} does in the stream
 * ({@link OnlineForecaster#anomalyInput}), then observes the value. The command keeps these inputs
 * (not the scores) so that a sweep of anomaly settings reuses one forecasting run per file.
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
        AnomalyInput input = OnlineForecaster.anomalyInput(state, value);
        Source source = state.latest().source();
        online.observe(state, new double[] {value}, timestamp, model);
        return new Captured(input, source);
    }
}
