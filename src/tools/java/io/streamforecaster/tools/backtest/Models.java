package io.streamforecaster.tools.backtest;

import io.streamforecaster.model.FastForecaster;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingSettings;

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
            public void refit(double[] history) {
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
            public void refit(double[] history) {
                // nothing to learn
            }

            @Override
            public double forecast(double[] x, int t) {
                return x[t - period];
            }
        };
    }

    /**
     * The service's own model: the same trainer (windows, scaler, variant, warm start from the
     * previous model) and the same fast forecast as the stream.
     */
    public static OnlineModel lstm(TrainingSettings settings) {
        return new OnlineModel() {
            private ModelSnapshot model;
            private long seen;

            @Override
            public String name() {
                return "lstm-" + settings.variant().id();
            }

            @Override
            public void refit(double[] history) {
                double[][] rows = new double[history.length][];
                for (int i = 0; i < history.length; i++) {
                    rows[i] = new double[] {history[i]};
                }
                seen += history.length;
                ModelSnapshot next = Trainer.train(settings, rows, model, seen, 0);
                if (next.isFinite()) { // as in the service: a non-finite model is never used
                    model = next;
                }
            }

            @Override
            public double forecast(double[] x, int t) {
                int steps = settings.nSteps();
                if (model == null || t < steps) {
                    return x[t - 1];
                }
                double[][] window = new double[steps][];
                for (int i = 0; i < steps; i++) {
                    window[i] = new double[] {x[t - steps + i]};
                }
                double f = FastForecaster.forecast(model, window)[0];
                return Double.isFinite(f) ? f : x[t - 1];
            }
        };
    }
}
