package io.streamforecaster.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamforecaster.state.Source;
import io.streamforecaster.ingest.RejectReason;
import io.streamforecaster.model.Selection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Owns every meter of the contract; one instance per service. */
public class ForecasterMetrics {

    /** Aggregate accuracy gauges weigh about this many recent scored forecasts. */
    static final double AGGREGATE_ALPHA = 1.0 / 1000;

    public enum TrainingOutcome {
        SUCCESS("success"), FAILED("failed"), KEPT_PREVIOUS("kept-previous");

        final String id;

        TrainingOutcome(String id) {
            this.id = id;
        }
    }

    private final Counter events;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Counter productionErrors;
    private final Map<Source, Counter> predictions = new EnumMap<>(Source.class);
    private final Timer inference;
    private final Map<TrainingOutcome, Counter> trainingRuns = new EnumMap<>(TrainingOutcome.class);
    private final Timer trainingDuration;
    private final Timer handoff;
    private final Map<String, TaskGauges> tasks = new ConcurrentHashMap<>();
    private final Map<String, Counter> trainingRequests = new ConcurrentHashMap<>();
    private final Timer modelAge;
    private final Map<Source, RecentMean> maeBySource = new EnumMap<>(Source.class);
    private final RecentMean naiveMae;
    private final RecentMean intervalCoverage;
    private final Counter punctuationFailures;
    private final Map<String, Counter> corruptRecords = new ConcurrentHashMap<>();
    private final Counter threadsReplaced;
    private final Counter driftDetections;
    private final io.micrometer.core.instrument.DistributionSummary anomalyScores;
    /** Anomalies by key group: each drill-down key (see {@link #series}) apart, all other keys as {@value #OTHER_KEYS}. */
    private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();
    static final String OTHER_KEYS = "other";
    /** Held here: Micrometer holds a gauge's object weakly, and nothing else holds this supplier. */
    private final LongSupplier trainingQueue;
    private volatile LongSupplier memoryEvictions;
    private final Map<Selection.Decision, Counter> challenges = new EnumMap<>(Selection.Decision.class);
    private final Counter fallbacksEntered;
    private final Counter fallbacksLeft;

    private final MeterRegistry registry;
    private final int maxSeriesKeys;
    /** Per-key gauges of the first keys seen, for the dashboard's drill-down: bounded, never one per key of a big stream. */
    private final Map<String, SeriesGauges> seriesValues = new ConcurrentHashMap<>();
    /** A drill-down key's slot is given to a new key once the key has had no value for this long (forecaster.metrics.series-idle). */
    public static final java.time.Duration DEFAULT_SERIES_IDLE = java.time.Duration.ofHours(1);
    private final long seriesIdleNanos;
    private final LongSupplier nanoClock;

    public ForecasterMetrics(MeterRegistry registry, LongSupplier trainingQueue) {
        this(registry, trainingQueue, 0);
    }

    /** @param maxSeriesKeys keys that get their own {@code forecaster.series.*} gauges (the first seen) */
    public ForecasterMetrics(MeterRegistry registry, LongSupplier trainingQueue, int maxSeriesKeys) {
        this(registry, trainingQueue, maxSeriesKeys, DEFAULT_SERIES_IDLE, System::nanoTime);
    }

    /**
     * @param maxSeriesKeys keys that get their own {@code forecaster.series.*} gauges
     * @param seriesIdle    how long a drill-down key may go without a value before its slot goes to a new key
     * @param nanoClock     {@link System#nanoTime}, or a test's clock
     */
    public ForecasterMetrics(MeterRegistry registry, LongSupplier trainingQueue, int maxSeriesKeys, java.time.Duration seriesIdle,
                             LongSupplier nanoClock) {
        this.registry = registry;
        this.maxSeriesKeys = maxSeriesKeys;
        this.seriesIdleNanos = seriesIdle.toNanos();
        this.nanoClock = nanoClock;
        events = Counter.builder("forecaster.events").description("Records read from the input topic").register(registry);
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, Counter.builder("forecaster.rejected").tag("reason", r.id())
                    .description("Records sent to the dead-letter topic, by reason").register(registry));
        }
        productionErrors = Counter.builder("forecaster.production.errors")
                .description("Output records the broker refused (logged with their key)").register(registry);
        for (Source s : new Source[] {Source.LSTM, Source.NAIVE}) {
            predictions.put(s, Counter.builder("forecaster.predictions").tag("source", s.id())
                    .description("Forecasts published, by source").register(registry));
            maeBySource.put(s, new RecentMean(AGGREGATE_ALPHA, registry, m -> Gauge.builder("forecaster.accuracy.mae", m, RecentMean::value)
                    .tag("source", s.id()).description("Recent absolute error of published forecasts, all keys together")));
        }
        naiveMae = new RecentMean(AGGREGATE_ALPHA, registry, m -> Gauge.builder("forecaster.accuracy.naive.mae", m, RecentMean::value)
                .description("Recent absolute error of the naive last-value forecast on the same points"));
        inference = Timer.builder("forecaster.inference").description("Time to compute one forecast on the stream thread")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(500))
                .maximumExpectedValue(java.time.Duration.ofMillis(50)).register(registry);
        for (TrainingOutcome o : TrainingOutcome.values()) {
            trainingRuns.put(o, Counter.builder("forecaster.training.runs").tag("outcome", o.id)
                    .description("Finished training runs, by outcome").register(registry));
        }
        trainingDuration = Timer.builder("forecaster.training.duration").description("Time to train one key's model")
                .publishPercentileHistogram().register(registry);
        handoff = Timer.builder("forecaster.training.handoff")
                .description("Stream-thread time per punctuation spent installing finished models and handing out due keys")
                .register(registry);
        this.trainingQueue = trainingQueue;
        Gauge.builder("forecaster.training.queue", trainingQueue, LongSupplier::getAsLong).strongReference(true)
                .description("Training jobs waiting or running").register(registry);
        for (Selection.Decision d : Selection.Decision.values()) {
            challenges.put(d, Counter.builder("forecaster.models.challenges").tag("decision", d.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Retrained models (challengers) by decision: promoted over the current model, or rejected on held-out data")
                    .register(registry));
        }
        fallbacksEntered = Counter.builder("forecaster.fallbacks").tag("change", "entered")
                .description("Keys that began serving naive because their model did worse than naive, and that went back to it")
                .register(registry);
        fallbacksLeft = Counter.builder("forecaster.fallbacks").tag("change", "left")
                .description("Keys that began serving naive because their model did worse than naive, and that went back to it")
                .register(registry);
        intervalCoverage = new RecentMean(AGGREGATE_ALPHA, registry, m -> Gauge.builder("forecaster.interval.coverage", m, RecentMean::value)
                .description("Recent share of actual values inside their forecast's prediction interval, all keys together"));
        punctuationFailures = Counter.builder("forecaster.punctuation.failures")
                .description("Training hand-offs (wall-clock punctuations) that failed; they run again at the next interval")
                .register(registry);
        for (String store : new String[] {"series", "models"}) {
            corruptRecord(store, 0);
        }
        driftDetections = Counter.builder("forecaster.drift.detections")
                .description("Times a key's model was found to drift (Page-Hinkley on its errors relative to naive's)").register(registry);
        anomalyScores = io.micrometer.core.instrument.DistributionSummary.builder("forecaster.anomaly.score")
                .description("Anomaly scores of the observations, in [0, 1]")
                .serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99).register(registry);
        anomalyCounter(OTHER_KEYS);
        threadsReplaced = Counter.builder("forecaster.stream.threads.replaced")
                .description("Stream threads that died of an error and were replaced").register(registry);
        // ND4J's arrays live off the heap, allocated through JavaCPP: what the JVM's memory metrics do not show
        Gauge.builder("forecaster.offheap.used", () -> org.bytedeco.javacpp.Pointer.totalBytes())
                .baseUnit("bytes").description("Off-heap memory JavaCPP (ND4J) holds now").register(registry);
        Gauge.builder("forecaster.offheap.max", () -> org.bytedeco.javacpp.Pointer.maxBytes())
                .baseUnit("bytes").description("Off-heap memory JavaCPP (ND4J) may hold (org.bytedeco.javacpp.maxbytes)").register(registry);
        Gauge.builder("forecaster.models", this, m -> m.sum(TaskGauges::models)).strongReference(true)
                .description("Keys with a model in this instance's stores").register(registry);
        Gauge.builder("forecaster.keys.awaiting.model", this, m -> m.sum(TaskGauges::awaitingFirstModel)).strongReference(true)
                .description("Keys with the data for a first model, waiting for it").register(registry);
        Gauge.builder("forecaster.keys.awaiting.model.oldest", this, m -> m.max(TaskGauges::oldestFirstModelWaitMillis) / 1000.0)
                .strongReference(true).baseUnit("seconds")
                .description("How long the key that has waited longest for a first model has waited (at each task's last hand-out; 0 for none)")
                .register(registry);
        Gauge.builder("forecaster.keys.due", this, m -> m.sum(TaskGauges::due)).strongReference(true)
                .description("Keys due for training and not handed to the trainer yet (at each task's last punctuation)").register(registry);
        Gauge.builder("forecaster.keys.drifting", this, m -> m.sum(TaskGauges::drifting)).strongReference(true)
                .description("Keys whose model drifted since its last check (retrained before others)").register(registry);
        for (String reason : new String[] {"first-model", "fallback", "drift", "age"}) {
            trainingRequested(reason, 0);
        }
        modelAge = Timer.builder("forecaster.models.age")
                .description("Age of the models of the keys that had observations, once per key and punctuation")
                .serviceLevelObjectives(java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(15),
                        java.time.Duration.ofHours(1), java.time.Duration.ofHours(6), java.time.Duration.ofDays(1), java.time.Duration.ofDays(7))
                .register(registry);
    }

    public void event() {
        events.increment();
    }

    public void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    public void productionError() {
        productionErrors.increment();
    }

    public void prediction(Source source, long nanos) {
        predictions.get(source).increment();
        inference.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One scored forecast: its absolute error and the naive forecast's on the same point. */
    public void scored(Source source, double error, double naiveError) {
        RecentMean mean = maeBySource.get(source);
        if (mean != null) {
            mean.add(error);
        }
        naiveMae.add(naiveError);
    }

    static final String[] SERIES_GAUGES = {"actual", "forecast", "lower", "upper", "mae", "naive.mae"};

    /**
     * The latest values of one key, for its drill-down gauges {@code forecaster.series.*}{key}:
     * kept for the first {@code maxSeriesKeys} keys this instance sees, ignored for the others,
     * until the key's task leaves this instance ({@link #unregisterTask}) or the key has had no value
     * for {@code seriesIdle} ({@link #releaseIdleSeries}): its slot then goes to the next new key. A gauge appears with its
     * first finite value and keeps the last finite one (an interval or an error the key does not
     * have yet would be exported as NaN). A key named as the aggregate group ({@value #OTHER_KEYS})
     * gets none: its anomalies would be counted with every other key's.
     *
     * @param task the task the key is processed in
     */
    public void series(String task, String key, double actual, double forecast, double lower, double upper, double mae, double naiveMae) {
        if (maxSeriesKeys <= 0 || key.equals(OTHER_KEYS)) {
            return;
        }
        SeriesGauges g = seriesValues.get(key);
        if (g == null) {
            if (seriesValues.size() >= maxSeriesKeys) {
                return;
            }
            g = register(key);
            if (g == null) {
                return;
            }
        }
        g.task = task;
        g.lastValue = nanoClock.getAsLong();
        g.set(0, actual);
        g.set(1, forecast);
        g.set(2, lower);
        g.set(3, upper);
        g.set(4, mae);
        g.set(5, naiveMae);
    }

    /**
     * Frees the slots of drill-down keys that have had no value for {@code seriesIdle}, for the next
     * new keys; whether any was freed. Called from the tasks' punctuations, so that the keys' hot
     * path reads no clock for it.
     */
    public synchronized boolean releaseIdleSeries() {
        if (seriesValues.isEmpty()) {
            return false;
        }
        long now = nanoClock.getAsLong();
        return seriesValues.values().removeIf(g -> {
            boolean idle = now - g.lastValue > seriesIdleNanos;
            if (idle) {
                release(g);
            }
            return idle;
        });
    }

    /** A key's drill-down gauges and its own anomaly counter go: its slot is free for another key. */
    private void release(SeriesGauges g) {
        g.remove();
        Counter own = anomalies.remove(g.key); // the groups stay bounded
        if (own != null) {
            registry.remove(own);
        }
    }

    private synchronized SeriesGauges register(String key) {
        SeriesGauges existing = seriesValues.get(key);
        if (existing != null || seriesValues.size() >= maxSeriesKeys) {
            return existing;
        }
        SeriesGauges g = new SeriesGauges(key, nanoClock.getAsLong()); // not idle before its first value is set
        seriesValues.put(key, g);
        return g;
    }

    /** One key's drill-down values; each gauge is registered on its first finite value. */
    private final class SeriesGauges {
        private final String key;
        private final double[] values = new double[SERIES_GAUGES.length];
        private final Gauge[] registered = new Gauge[SERIES_GAUGES.length];
        private volatile String task;
        private volatile long lastValue;
        /** Released: no gauge may be registered for it any more (one would stay for good, its key out of the map). */
        private boolean released;

        SeriesGauges(String key, long now) {
            this.key = key;
            this.lastValue = now;
        }

        void set(int i, double v) {
            if (!Double.isFinite(v)) {
                return;
            }
            values[i] = v;
            if (registered[i] == null) {
                register(i);
            }
        }

        private synchronized void register(int i) {
            if (!released && registered[i] == null) {
                registered[i] = Gauge.builder("forecaster.series." + SERIES_GAUGES[i], values, a -> a[i]).strongReference(true).tag("key", key)
                        .description("Latest " + SERIES_GAUGES[i] + " of one series (drill-down; only the first "
                                + maxSeriesKeys + " keys of each instance)")
                        .register(registry);
            }
        }

        synchronized void remove() {
            released = true;
            for (Gauge g : registered) {
                if (g != null) {
                    registry.remove(g);
                }
            }
        }
    }

    /** One actual value checked against its forecast's interval. */
    public void intervalChecked(boolean inside) {
        intervalCoverage.add(inside ? 1 : 0);
    }

    public void challenge(Selection.Decision decision) {
        challenges.get(decision).increment();
    }

    /** A key fell back to naive ({@code true}) or went back to its model. */
    public void fallback(boolean entered) {
        (entered ? fallbacksEntered : fallbacksLeft).increment();
    }

    /** The instance's memory budget for decoded states and models: bytes in use, the limit, keys dropped to stay within it. */
    public void memory(LongSupplier used, LongSupplier limit, LongSupplier evictions) {
        Gauge.builder("forecaster.memory.used", used, LongSupplier::getAsLong).strongReference(true).baseUnit("bytes")
                .description("Heap held by keys' decoded states and models (estimate), all tasks of this instance").register(registry);
        Gauge.builder("forecaster.memory.budget", limit, LongSupplier::getAsLong).strongReference(true).baseUnit("bytes")
                .description("Heap this instance may give to keys' decoded states and models (forecaster.memory.budget)").register(registry);
        // a function counter holds its object weakly and has no strong option: it reads this object,
        // which holds the supplier (a method reference nothing else keeps would freeze the count at its
        // last reading after a GC)
        memoryEvictions = evictions;
        io.micrometer.core.instrument.FunctionCounter.builder("forecaster.memory.evictions", this, ForecasterMetrics::memoryEvictions)
                .description("Keys written out and dropped from memory to stay within the budget").register(registry);
    }

    private double memoryEvictions() {
        LongSupplier evictions = memoryEvictions;
        return evictions == null ? 0 : evictions.getAsLong();
    }

    /**
     * One observation's anomaly score, and whether it was an anomaly: counted by key group, the
     * drill-down keys' own tags (bounded by {@code forecaster.metrics.series-keys}) and one for all others.
     */
    public void anomalyScored(String key, double score, boolean anomaly) {
        anomalyScores.record(score);
        if (anomaly) { // rare: the lock costs the hot path nothing
            synchronized (this) { // not while releaseIdleSeries removes the key's counter: one made meanwhile stayed for good
                anomalyCounter(seriesValues.containsKey(key) ? key : OTHER_KEYS).increment();
            }
        }
    }

    private Counter anomalyCounter(String group) {
        return anomalies.computeIfAbsent(group, g -> Counter.builder("forecaster.anomalies").tag("group", g)
                .description("Observations whose anomaly score reached forecaster.anomaly.threshold, by key group (a drill-down key, or "
                        + OTHER_KEYS + ")").register(registry));
    }

    /** A key's model was found to drift. */
    public void driftDetected() {
        driftDetections.increment();
    }

    /** A wall-clock punctuation (the training hand-off) failed: not a rejected record. */
    public void punctuationFailed() {
        punctuationFailures.increment();
    }

    /** A stored record of {@code store} could not be read; its key starts afresh. */
    public void corruptRecord(String store) {
        corruptRecord(store, 1);
    }

    private void corruptRecord(String store, int n) {
        corruptRecords.computeIfAbsent(store, s -> Counter.builder("forecaster.corrupt.records").tag("store", s)
                .description("Stored records that could not be read (logged); their key starts afresh and is retrained")
                .register(registry)).increment(n);
    }

    /** A stream thread died of an error and was replaced. */
    public void threadReplaced() {
        threadsReplaced.increment();
    }

    public void training(TrainingOutcome outcome, long nanos) {
        trainingRuns.get(outcome).increment();
        trainingDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One punctuation of a task's training scheduler, on the stream thread. */
    public void handoff(long nanos) {
        handoff.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Longest punctuation so far, in milliseconds: shows the stream thread never waits for training. */
    public double longestHandoffMillis() {
        return handoff.max(TimeUnit.MILLISECONDS);
    }

    /**
     * What a stream task reports until it closes: models in its store, keys awaiting a first
     * model and how long the one that has waited longest has waited (milliseconds), keys due, keys drifting.
     */
    public record TaskGauges(LongSupplier models, LongSupplier awaitingFirstModel, LongSupplier oldestFirstModelWaitMillis,
                             LongSupplier due, LongSupplier drifting) {
    }

    public void registerTask(String task, TaskGauges gauges) {
        tasks.put(task, gauges);
    }

    /** The task closed on this instance (its keys may move to another): its gauges, and its keys' drill-down gauges, go. */
    public synchronized void unregisterTask(String task) {
        tasks.remove(task);
        seriesValues.values().removeIf(g -> {
            boolean gone = task.equals(g.task);
            if (gone) {
                release(g); // another instance exports the key now; a frozen copy here would be a second, stale series
            }
            return gone;
        });
    }

    private double max(java.util.function.Function<TaskGauges, LongSupplier> which) {
        long n = 0;
        for (TaskGauges t : tasks.values()) {
            n = Math.max(n, which.apply(t).getAsLong());
        }
        return n;
    }

    private double sum(java.util.function.Function<TaskGauges, LongSupplier> which) {
        long n = 0;
        for (TaskGauges t : tasks.values()) {
            n += which.apply(t).getAsLong();
        }
        return n;
    }

    /** A key was handed to the trainer, for {@code reason} ({@code first-model}, {@code fallback}, {@code drift}, {@code age}). */
    public void trainingRequested(String reason) {
        trainingRequested(reason, 1);
    }

    private void trainingRequested(String reason, int n) {
        trainingRequests.computeIfAbsent(reason, r -> Counter.builder("forecaster.training.requests").tag("reason", r)
                .description("Keys handed to the trainer, by why: no model yet, fallback, drift, or age").register(registry)).increment(n);
    }

    /** The age of a key's model, sampled once per punctuation for the keys that had observations. */
    public void modelAge(long millis) {
        modelAge.record(millis, TimeUnit.MILLISECONDS);
    }
}
