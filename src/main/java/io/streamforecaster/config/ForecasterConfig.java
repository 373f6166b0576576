package io.streamforecaster.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.model.Variant;
import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.Optional;

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

    StreamThreads streamThreads();

    Memory memory();

    Drift drift();

    Anomaly anomaly();

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

        /** If set, one record per anomaly goes here, keyed by series id (README, "Anomalies"); unset: none are sent. */
        Optional<String> anomalies();
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

        /**
         * No longer used: memory for decoded states and models is one budget per instance,
         * {@code forecaster.memory.budget}. Still accepted, so that older configurations start.
         */
        @Deprecated
        Optional<Integer> cacheSize();
    }

    interface History {
        /** Observations kept per key for training (at least n-steps + 1). */
        @WithDefault("512")
        int size();

        /**
         * The last observations for which each key keeps the forecast it served (value, interval,
         * source, model version) beside the actual value, for {@code GET /series/{key}/history} and
         * the operator page; 34 bytes each. 0 keeps none.
         */
        @WithDefault("128")
        int servedPoints();
    }

    interface Training {
        /** How often a key that has a model is retrained, once enough new observations arrived. */
        @WithDefault("60s")
        Duration interval();

        /**
         * The longest interval between retrains of a key whose model keeps beating its challengers:
         * each defence doubles its interval, from {@code interval} up to this.
         */
        @WithDefault("30m")
        Duration maxInterval();

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

        /**
         * How much lower than the stream threads the training threads run (Linux's nice, 0 to 19; 0:
         * the same): on cores they share, a training backlog takes what the stream leaves.
         */
        @WithDefault("5")
        int nice();

        /** Jobs that may wait for a training thread; the rest wait their turn in their task. */
        @WithDefault("16")
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

        /**
         * A drill-down key with no value for this long gives its slot, and its gauges, to the next new
         * key: keys that stopped do not hold the drill-down for good.
         */
        @WithDefault("1h")
        java.time.Duration seriesIdle();
    }

    interface Drift {
        /** Detect drift per key (Page-Hinkley on the model's one-step errors relative to naive's): a drifting key is retrained first. */
        @WithDefault("true")
        boolean enabled();

        /** Increase of the model's relative error tolerated without counting towards a drift. */
        @WithDefault("0.2")
        double delta();

        /** How far the cumulative excess may rise above its minimum before a drift is declared. */
        @WithDefault("15")
        double threshold();

        /** Relative errors above this count as this, so one outlier cannot declare a drift alone. */
        @WithDefault("4")
        double clip();

        /** Points after a model's install or defence before a drift can be declared. */
        @WithDefault("32")
        int minPoints();
    }

    /** How each observation is scored for anomalies (README, "Anomalies"; defaults chosen on NAB, ANOMALIES.md). */
    interface Anomaly {
        /** A score at or above this (above 0.3, at most 1) is an anomaly: {@code anomaly: true}, the anomalies topic and meter. */
        @WithDefault("0.587")
        double threshold();

        /** Observations a key has before its scores count, while it learns its range and usual errors. */
        @WithDefault("200")
        int warmUp();

        /** Observations over which a key's largest recent forecast error fades to half. */
        @WithDefault("4000")
        int memory();

        /** Forecast errors are also averaged over about this many observations, for bursts of moderate errors. */
        @WithDefault("20")
        int averagingWindow();

        /** A key's level is its values averaged over about this many observations. */
        @WithDefault("30")
        int levelWindow();

        /** A key's volatility is its absolute changes averaged over about this many observations. */
        @WithDefault("80")
        int volatilityWindow();

        /** How far beyond its range, as a share of the range, a value, level or volatility lies to score 0.75. */
        @WithDefault("0.08")
        double rangeScale();

        /** After an anomaly, the part of the detector that scored it stays quiet for this many observations without another. */
        @WithDefault("100")
        int quiet();
    }

    interface Memory {
        /**
         * Heap for keys' decoded states and models, shared by all of this instance's tasks (e.g.
         * {@code 512M}); the least recently used keys are written out and dropped beyond it, and read
         * back on their next event. Default: 30 % of the maximum heap.
         */
        Optional<MemorySize> budget();

        /**
         * Off-heap memory for RocksDB, shared by every store of this instance and bounded: block
         * cache, index and filter blocks, and memtables (at most a quarter of it). The image's
         * entrypoint sets a tenth of the container's memory limit.
         */
        @WithDefault("256M")
        MemorySize rocksdb();
    }

    interface StreamThreads {
        /**
         * Stream threads that die of an error are replaced, up to this many within
         * {@code replacement-window}; one more, and this instance shuts its Kafka Streams client down
         * and fails its liveness check, for the orchestrator to restart it.
         */
        @WithDefault("5")
        int maxReplacements();

        /** The time over which stream-thread deaths are counted. */
        @WithDefault("10m")
        Duration replacementWindow();
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

        /**
         * A key longer than this (in UTF-8 bytes) is rejected as {@code invalid-key}, as are empty keys,
         * keys that are not valid UTF-8 and keys with control characters.
         */
        @WithDefault("256")
        int maxKeyBytes();

        /**
         * A value beyond ±this is rejected as {@code out-of-range}; at most 1e150, so that every error,
         * squared error and sum the service computes stays finite.
         */
        @WithDefault("1e150")
        double maxAbsValue();

        /**
         * How the input topic's producers partition keys: {@code murmur2} (Java clients) or
         * {@code crc32} (librdkafka-based clients' default: kcat, confluent-kafka for Python, Go,
         * .NET). Queries find a key either way; the right one finds it without a search.
         */
        @WithDefault("murmur2")
        io.streamforecaster.ingest.InputPartitioner partitioner();
    }

    interface Accuracy {
        /** Online MAE is an exponentially weighted mean over about this many recent forecasts. */
        @WithDefault("200")
        int window();
    }
}
