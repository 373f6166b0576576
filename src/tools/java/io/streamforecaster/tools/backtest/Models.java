package io.streamforecaster.tools.backtest;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
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

    /** How a served model gets its next model at a refit of the protocol. */
    @FunctionalInterface
    public interface Refitter {
        /** @return the model to serve from time {@code t} on (the current one when it is kept) */
        ModelSnapshot refit(double[] x, int t, ModelSnapshot current);
    }

    /** A served model that also tells how long its refits took. */
    public interface Timed {
        double trainingSeconds();
    }

    /**
     * The service's own per-key model, served as the service serves it: the same trainer
     * (windows, scaler, variant, warm start), the same champion/challenger check on held-out
     * points, and the same per-observation step ({@link OnlineForecaster}: fast forecast, naive
     * fallback, prediction interval, horizon) over a key state fed one point at a time.
     */
    public static OnlineModel lstm(StreamSettings settings) {
        return lstm(settings, false);
    }

    /**
     * @param byNeed retrained as the service schedules a key ({@link io.streamforecaster.stream.RetrainPolicy}: drift,
     *               fallback, age), with one point as one millisecond of its intervals, instead of at the fixed cadence
     */
    public static OnlineModel lstm(StreamSettings settings, boolean byNeed) {
        TrainingSettings training = settings.training();
        return served("lstm-" + training.variant().id() + (byNeed ? "-by-need" : ""), settings, byNeed, (x, t, current) -> {
            double[] history = Protocol.fitWindow(x, t);
            if (history.length < training.nSteps() + 1) {
                return current; // too short to train on: served naive until a model can be trained, as the service would
            }
            double[][] rows = new double[history.length][];
            for (int i = 0; i < history.length; i++) {
                rows[i] = new double[] {history[i]};
            }
            var challenge = Selection.challenge(Trainer::train, training, rows, current, t, t);
            // as in the service: a non-finite model is never used
            return challenge.challenger().isFinite() ? Selection.decide(current, challenge, t).model() : current;
        });
    }

    /** A model served by the service's per-observation step, refit by {@code refitter}. */
    public static OnlineModel served(String name, StreamSettings settings, Refitter refitter) {
        return new Served(name, settings, false, refitter);
    }

    static OnlineModel served(String name, StreamSettings settings, boolean byNeed, Refitter refitter) {
        return new Served(name, settings, byNeed, refitter);
    }

    private static final class Served implements OnlineModel, Timed {
        private final String name;
        private final StreamSettings settings;
        private final boolean byNeed;
        private int trainings;
        private final Refitter refitter;
        private final OnlineForecaster online;
        private final SeriesState state;
        private ModelSnapshot model;
        private int fed;
        private long trainingNanos;

        Served(String name, StreamSettings settings, boolean byNeed, Refitter refitter) {
            this.name = name;
            this.settings = settings;
            this.byNeed = byNeed;
            this.refitter = refitter;
            this.online = new OnlineForecaster(settings);
            this.state = online.newState();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void refit(double[] x, int t) {
            feed(x, t - 1); // what the service had seen when it snapshot the history, bar the newest point
            long start = System.nanoTime();
            model = refitter.refit(x, t, model);
            trainingNanos += System.nanoTime() - start;
            if (Protocol.fitWindow(x, t).length >= settings.nSteps() + 1) {
                trainings++; // the refitter trained (on a window too short, it keeps the current model without training)
            }
        }

        @Override
        public Boolean refitDue(double[] x, int t) {
            if (!byNeed) {
                return null;
            }
            feed(x, t - 1); // as a refit does: the newest point is then observed with the model it gives
            ModelSnapshot usable = model != null && Trainer.compatible(model, settings.training()) ? model : null;
            return io.streamforecaster.stream.RetrainPolicy.of(settings, state, usable).isDue(t);
        }

        @Override
        public int trainings() {
            return trainings;
        }

        private void feed(double[] x, int upTo) {
            for (; fed < upTo; fed++) {
                online.observe(state, new double[] {x[fed]}, fed, model);
            }
        }

        @Override
        public double forecast(double[] x, int t) {
            feed(x, t);
            var latest = state.latest();
            return latest.present() ? latest.value(0) : x[t - 1];
        }

        @Override
        public double halfWidth() {
            return state.latest().present() ? state.latest().halfWidth() : Double.NaN;
        }

        @Override
        public double[] horizon() {
            return state.latest().present() ? state.latest().horizon() : null;
        }

        @Override
        public double[] horizonHalfWidths() {
            return state.latest().present() ? state.latest().stepHalfWidths() : null;
        }

        @Override
        public double trainingSeconds() {
            return trainingNanos / 1e9;
        }
    }
}
