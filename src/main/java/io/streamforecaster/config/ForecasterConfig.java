package io.streamforecaster.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.model.Variant;
import java.time.Duration;

/**
 * Every setting of the public contract under {@code forecaster.*}. Each can also be given as an
 * environment variable, e.g. {@code FORECASTER_MODEL_VARIANT=stacked}.
 */
@ConfigMapping(prefix = "forecaster")
public interface ForecasterConfig {

    Topics topics();

    Model model();

    History history();

    Training training();

    Input input();

    Accuracy accuracy();

    Fallback fallback();

    Interval interval();

    Forecast forecast();

    Metrics metrics();

    /** {@code naive}: before a key has a model, forecast its last value, marked {@code naive}; {@code skip}: emit nothing. */
    @WithDefault("naive")
    ColdStart coldStart();

    interface Topics {
        /** Observations come in here, keyed by series id. */
        @WithDefault("forecaster-input")
        String input();

        /** Forecasts go out here, keyed by series id. */
        @WithDefault("forecaster-predictions")
        String output();

        /** Rejected records go here with their original bytes and the reason in headers. */
        @WithDefault("forecaster-dlq")
        String deadLetter();
    }

    interface Model {
        /** {@code vanilla}, {@code stacked} or {@code bidirectional}. */
        @WithDefault("vanilla")
        Variant variant();

        /** Window length fed to the LSTM. */
        @WithDefault("12")
        int nSteps();

        /** Values per observation. */
        @WithDefault("1")
        int nFeatures();

        /** LSTM units per layer (the seed used 20). */
        @WithDefault("20")
        int units();

        /** {@code per-key}: one model per key; {@code shared}: one per input partition, trained on its keys' windows. */
        @WithDefault("per-key")
        ModelScope scope();

        /** With scope {@code shared}: the most recently active keys whose histories a partition's model trains on. */
        @WithDefault("256")
        int sharedKeys();

        /** Decoded models kept in memory per stream task, so the hot path does not decode a model per event. */
        @WithDefault("20000")
        int cacheSize();
    }

    interface History {
        /** Observations kept per key for training (at least n-steps + 1). */
        @WithDefault("512")
        int size();
    }

    interface Training {
        /** How often a key that has a model is retrained, once enough new observations arrived. */
        @WithDefault("60s")
        Duration interval();

        /** History needed before a key's first model (at least n-steps + 1). */
        @WithDefault("128")
        int minObservations();

        /** New observations needed before a retrain. */
        @WithDefault("64")
        int minNewObservations();

        /** Full-batch epochs for a model trained from scratch (chosen by backtest: ACCURACY.md). */
        @WithDefault("20")
        int epochs();

        /** Epochs for a retrain that starts from the key's current weights (chosen by backtest: ACCURACY.md). */
        @WithDefault("5")
        int warmStartEpochs();

        /** Adam learning rate. */
        @WithDefault("0.01")
        double learningRate();

        /** Seed of weight initialisation: training is repeatable for the same history. */
        @WithDefault("42")
        long seed();

        /** Training threads (each trains one key at a time). */
        @WithDefault("1")
        int threads();

        /** Jobs that may wait for a training thread; the rest wait their turn in their task. */
        @WithDefault("4")
        int queueCapacity();

        /** How often each task hands due keys to the trainer and takes finished models back. */
        @WithDefault("2s")
        Duration checkInterval();

        /**
         * What trains the models: {@code java}, our own training path (the same math as DL4J's, many
         * times cheaper: BENCHMARKS.md), or {@code dl4j}, DL4J's own {@code fit}. Both give models of
         * the same format, forecast the same way.
         */
        @WithDefault("java")
        TrainingEngine engine();

        /** L2 norm each parameter type's gradient is clipped to. */
        @WithDefault("1.0")
        double gradientClip();

        /**
         * Newest observations kept out of a retrain: the new model replaces the current one only if
         * it forecasts them better (0: every finite retrain replaces it).
         */
        @WithDefault("32")
        int holdout();
    }

    interface Fallback {
        /** Serve naive (marked) for a key whose model does worse than naive on its recent points, until it does better. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Also consider the model's forecast change halved (a damped forecast) and serve it when it
         * did best recently; it often beats both on smooth series where the model is about as good as naive.
         */
        @WithDefault("true")
        boolean damping();

        /** Model and naive are compared over about this many recent points (exponentially weighted). */
        @WithDefault("64")
        int window();

        /** Points (held-out, then online) a model is judged on before it can be set aside. */
        @WithDefault("16")
        int minPoints();
    }

    interface Interval {
        /** Share of actual values the prediction interval [lower, upper] should hold. */
        @WithDefault("0.9")
        double coverage();

        /** Recent one-step errors per key the interval is built from (split-conformal). */
        @WithDefault("100")
        int window();

        /** How fast the interval's level adapts to its recent misses (adaptive conformal inference; 0 = off). */
        @WithDefault("0.05")
        double adaptation();

        /** Errors a key needs before its forecasts carry an interval. */
        @WithDefault("10")
        int minErrors();
    }

    interface Metrics {
        /**
         * Keys per instance that get their own gauges ({@code forecaster.series.*} with a {@code key}
         * tag) for the dashboard's per-series drill-down: the first ones seen. 0 turns them off.
         */
        @WithDefault("20")
        int seriesKeys();
    }

    interface Forecast {
        /** Values forecast ahead: above 1 adds a {@code horizon} array (recursive forecasts, widening intervals). */
        @WithDefault("1")
        int horizon();
    }

    interface Input {
        /** A record value longer than this is rejected as {@code too-large}. */
        @WithDefault("4096")
        int maxBytes();
    }

    interface Accuracy {
        /** Online MAE is an exponentially weighted mean over about this many recent forecasts. */
        @WithDefault("200")
        int window();
    }
}
