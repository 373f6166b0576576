package io.streamforecaster.tools.backtest;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.history.SeriesState;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.serving.OnlineForecaster;

/** The models the backtest compares. */
public final class Models {

    private Models() {
    }

    /** The last value. */
    public static OnlineModel naive() {
        return new OnlineModel() {
            @Override
            public String name() {
                return "naive";
            }

            @Override
            public void refit(double[] x, int t) {
                // nothing to learn
            }

            @Override
            public double forecast(double[] x, int t) {
                return x[t - 1];
            }
        };
    }

    /** The value one season ago. */
    public static OnlineModel seasonalNaive(int period) {
        if (period < 1) {
            throw new IllegalArgumentException("Invalid season period = " + period);
        }
        return new OnlineModel() {
            @Override
            public String name() {
                return "seasonal-naive[" + period + "]";
            }

            @Override
            public void refit(double[] x, int t) {
                // nothing to learn
            }

            @Override
            public double forecast(double[] x, int t) {
                return x[t - period];
            }
        };
    }

    /**
     * The service's own model, served as the service serves it: the same trainer (windows, scaler,
     * variant, warm start), the same champion/challenger check on held-out points, and the same
     * per-observation step ({@link OnlineForecaster}: fast forecast, naive fallback, prediction
     * interval, horizon) over a key state fed one point at a time.
     */
    public static OnlineModel lstm(StreamSettings settings) {
        TrainingSettings training = settings.training();
        return new OnlineModel() {
            private final OnlineForecaster online = new OnlineForecaster(settings);
            private final SeriesState state = online.newState();
            private ModelSnapshot model;
            private int fed;

            @Override
            public String name() {
                return "lstm-" + training.variant().id();
            }

            @Override
            public void refit(double[] x, int t) {
                feed(x, t - 1); // what the service had seen when it snapshot the history, bar the newest point
                double[] history = Protocol.fitWindow(x, t);
                double[][] rows = new double[history.length][];
                for (int i = 0; i < history.length; i++) {
                    rows[i] = new double[] {history[i]};
                }
                var challenge = Selection.challenge(Trainer::train, training, rows, model, t, t);
                if (challenge.challenger().isFinite()) { // as in the service: a non-finite model is never used
                    model = Selection.decide(model, challenge, t).model();
                }
            }

            private void feed(double[] x, int upTo) {
                for (; fed < upTo; fed++) {
                    online.observe(state, new double[] {x[fed]}, fed, model);
                }
            }

            @Override
            public double forecast(double[] x, int t) {
                feed(x, t);
                double[] f = state.forecast();
                return f == null ? x[t - 1] : f[0];
            }

            @Override
            public double halfWidth() {
                return state.forecast() == null ? Double.NaN : state.halfWidth();
            }

            @Override
            public double[] horizon() {
                return state.forecast() == null ? null : state.horizon();
            }
        };
    }
}
