package io.streamforecaster.stream;

import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InvalidObservationException;
import io.streamforecaster.ingest.Observation;
import io.streamforecaster.ingest.ObservationParser;
import io.streamforecaster.ingest.RejectReason;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.state.SeriesState;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Per record, on the stream thread and without blocking: score the key's previous forecast,
 * append to its history, forecast the next value with the key's model (or naively before it has
 * one, or while it does worse than naive) with its prediction interval, and emit it
 * ({@link OnlineForecaster}). Bad records go to the dead-letter topic. Training is handed off by
 * {@link TrainingScheduler}, which this processor schedules as a wall-clock punctuator.
 */
public class ForecastProcessor extends ContextualProcessor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = Logger.getLogger(ForecastProcessor.class);

    private final StreamSettings settings;
    private final ForecasterMetrics metrics;
    private final TrainingPool pool;
    private final ObservationParser parser;
    private final OnlineForecaster online;
    private final String variant;
    private final boolean shared;
    private final long maxRequestBytes;

    private SeriesStore series;
    private ModelStore models;
    private TrainingScheduler scheduler;
    private String taskName;
    private org.apache.kafka.streams.processor.Cancellable punctuation;
    private org.apache.kafka.streams.processor.Cancellable refill;
    private long metricsFailures;

    /** How often, between punctuations, a task with keys waiting for the pool looks for room in it ({@link TrainingScheduler#refill}). */
    static final java.time.Duration REFILL_INTERVAL = java.time.Duration.ofMillis(100);

    public ForecastProcessor(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool) {
        this(settings, metrics, pool, RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
    }

    /** @param maxRequestBytes the producer's {@code max.request.size}: dead letters are made to fit it ({@link DeadLetterFit}) */
    public ForecastProcessor(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool, long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
        this.settings = settings;
        this.metrics = metrics;
        this.pool = pool;
        this.parser = settings.input().parser(settings.nFeatures());
        this.online = new OnlineForecaster(settings);
        this.shared = settings.scope() == ModelScope.SHARED;
        this.variant = settings.training().variant().id();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        super.init(context);
        series = context.getStateStore(Stores.SERIES);
        KeyValueStore<String, byte[]> modelStore = context.getStateStore(Stores.MODELS);
        models = new ModelStore(modelStore, series::modelInstalled, (key, e) -> corrupt(Stores.MODELS, key, e));
        series.connect(models::read, (key, e) -> corrupt(Stores.SERIES, key, e));
        models.initCount(); // processors start after their stores are restored
        scheduler = new TrainingScheduler(settings, series, models, pool, metrics);
        taskName = context.applicationId() + "/" + context.taskId();
        var scheduler = this.scheduler;
        metrics.registerTask(taskName, new ForecasterMetrics.TaskGauges(models::count, scheduler::awaitingFirstModel,
                scheduler::oldestFirstModelWaitMillis, scheduler::due, scheduler::drifting));
        punctuation = context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
            try {
                scheduler.punctuate(now);
            } finally { // keys it left waiting are refilled even when a later step of it failed
                refillWhileKeysWait();
            }
        });
    }

    /**
     * The refill between punctuations runs only while keys wait for room in the pool. Kafka Streams
     * commits a task after every wall-clock punctuation, whether it did anything or not, at the
     * next commit interval: under exactly-once with the 100 ms commit interval the README advises,
     * a refill always scheduled would make an idle task run a transaction ten times a second.
     */
    private void refillWhileKeysWait() {
        boolean waiting = scheduler.keysWaitForRoom() && settings.checkInterval().compareTo(REFILL_INTERVAL) > 0;
        if (waiting && refill == null) {
            refill = context().schedule(REFILL_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
                try {
                    scheduler.refill(now);
                } finally {
                    refillWhileKeysWait();
                }
            });
        } else if (!waiting && refill != null) {
            refill.cancel(); // from within its own punctuation too: Kafka Streams then does not schedule it again
            refill = null;
        }
    }

    /** A stored record that cannot be read: logged and counted; its key goes on afresh (naive, then retrained). */
    private void corrupt(String store, String key, RuntimeException e) {
        LOG.errorf("Stored record of key '%s' in %s (task %s) is unreadable and is replaced: the key starts afresh. %s",
                key, store, taskName, e.getMessage());
        metrics.corruptRecord(store.equals(Stores.SERIES) ? "series" : "models");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.event();
        Observation obs;
        try {
            obs = parser.parse(record.key(), record.value(), record.timestamp());
        } catch (InvalidObservationException e) {
            deadLetter(record, e.reason(), e.getMessage());
            return;
        }
        try {
            forecast(obs, record);
        } catch (KafkaException e) {
            // a write to Kafka that failed earlier (Kafka Streams reports it at the next send or store
            // write), or a task migration: not this record's fault, and no dead letter may hide it;
            // the stream thread fails and its tasks resume from the last commit
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "Processing failed for a record of %s; it goes to the dead-letter topic", location());
            deadLetter(record, RejectReason.PROCESSING_ERROR, e.toString());
        }
    }

    private void forecast(Observation obs, Record<byte[], byte[]> record) {
        String key = obs.key();
        SeriesStore.Slot slot = series.slot(key);
        if (slot == null) {
            slot = series.create(key, online.newState());
        }
        SeriesState state = slot.state;
        ModelSnapshot model = shared ? models.shared() : series.model(key, slot);
        long start = System.nanoTime();
        OnlineForecaster.Observed step;
        try {
            synchronized (state) { // interactive queries copy it under this monitor
                step = online.observe(state, obs.values(), obs.timestamp(), model);
            }
        } finally {
            series.changed(slot); // even half changed by a failure: what the key serves and what is stored agree
        }
        scheduler.offer(key, state, model, context().currentSystemTimeMs()); // the scheduler's view follows the state, whatever fails next
        Forecast forecast = step.forecast() ? Forecast.of(key, state, variant, settings.nSteps()) : null;
        byte[] forecastJson = forecast == null ? null : forecast.toJson();
        byte[] anomalyJson = step.detected() != null && settings.anomaliesTopic() != null ? AnomalyRecord.of(key, step.detected()).toJson() : null;
        long nanos = System.nanoTime() - start; // the forecast's cost, not the writes'
        // a failure up to here dead-letters the record with no output; after its outputs are written
        // nothing may dead-letter it. Both carry the input record's timestamp, which the broker took:
        // a "timestamp" in the value may be one it refuses
        if (anomalyJson != null) {
            context().forward(new Record<>(record.key(), anomalyJson, record.timestamp()), Stores.ANOMALIES_NODE);
        }
        if (forecastJson != null) {
            context().forward(new Record<>(record.key(), forecastJson, record.timestamp()), Stores.OUTPUT_NODE);
        }
        try {
            recordMetrics(key, obs, step, state, forecast, nanos);
        } catch (RuntimeException e) { // observability only: the record's outputs stand
            if (Long.bitCount(++metricsFailures) == 1) { // the 1st, 2nd, 4th, 8th... failure
                LOG.errorf(e, "Metrics of key '%s' could not be recorded (%d times in task %s); its outputs were written",
                        key, metricsFailures, taskName);
            }
        }
    }

    /** The instance's meters first, then the key's own, which a registry may refuse (and which are capped in number). */
    private void recordMetrics(String key, Observation obs, OnlineForecaster.Observed step, SeriesState state, Forecast forecast, long nanos) {
        if (step.scored()) {
            metrics.scored(step.scoredSource(), step.servedError(), step.naiveError());
        }
        if (step.intervalCheck() != 0) {
            metrics.intervalChecked(step.intervalCheck() > 0);
        }
        if (step.fallbackChange() != 0) {
            metrics.fallback(step.fallbackChange() > 0);
        }
        if (step.driftDetected()) {
            metrics.driftDetected();
        }
        if (forecast != null) {
            metrics.prediction(state.latest().source(), nanos);
        }
        metrics.anomalyScored(key, step.anomaly().score(), step.anomaly().anomaly());
        if (forecast != null) {
            metrics.series(taskName, key, obs.values()[0], forecast.forecast(), forecast.lower() == null ? Double.NaN : forecast.lower(),
                    forecast.upper() == null ? Double.NaN : forecast.upper(), state.accuracy().onlineMae(), state.accuracy().naiveMae());
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String message) {
        metrics.rejected(reason);
        Optional<RecordMetadata> meta = context().recordMetadata();
        var headers = DeadLetter.headers(record.headers(), reason, message,
                meta.map(RecordMetadata::topic).orElse(null),
                meta.map(RecordMetadata::partition).orElse(-1),
                meta.map(RecordMetadata::offset).orElse(-1L));
        var fit = DeadLetterFit.of(record.key(), record.value(), headers, maxRequestBytes);
        context().forward(new Record<>(fit.key(), fit.value(), record.timestamp(), headers), Stores.DEAD_LETTER_NODE);
    }

    private String location() {
        return context().recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }

    @Override
    public void close() {
        // Kafka Streams keeps a task's punctuations when it closes the task dirty and revives it
        // (an exactly-once commit that timed out, say), and init schedules a new one: the old one
        // would go on handing out a closed scheduler's keys, with no share of the pool to keep to
        if (punctuation != null) {
            punctuation.cancel();
            punctuation = null;
        }
        if (refill != null) {
            refill.cancel();
            refill = null;
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (taskName != null) {
            metrics.unregisterTask(taskName);
        }
    }
}
