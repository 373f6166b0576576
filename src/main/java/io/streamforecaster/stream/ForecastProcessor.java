package io.streamforecaster.stream;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.history.SeriesState;
import io.streamforecaster.ingest.InvalidObservationException;
import io.streamforecaster.ingest.Observation;
import io.streamforecaster.ingest.ObservationParser;
import io.streamforecaster.ingest.RejectReason;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.serving.OnlineForecaster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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

    private SeriesStore series;
    private ModelCache models;
    private TrainingScheduler scheduler;
    private String taskName;

    public ForecastProcessor(StreamSettings settings, ForecasterMetrics metrics, TrainingPool pool) {
        this.settings = settings;
        this.metrics = metrics;
        this.pool = pool;
        this.parser = settings.input().parser(settings.nFeatures());
        this.online = new OnlineForecaster(settings);
        this.shared = settings.scope() == io.streamforecaster.config.ModelScope.SHARED;
        this.variant = settings.training().variant().id();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        super.init(context);
        series = context.getStateStore(Stores.SERIES);
        KeyValueStore<String, byte[]> modelStore = context.getStateStore(Stores.MODELS);
        models = new ModelCache(modelStore, settings.modelCacheSize(), series::modelInstalled);
        models.initCount(); // processors start after their stores are restored
        scheduler = new TrainingScheduler(settings, series, models, pool, metrics);
        taskName = context.applicationId() + "/" + context.taskId();
        metrics.registerModelCount(taskName, models::count);
        context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, scheduler::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.event();
        try {
            Observation obs = parser.parse(record.key(), record.value(), record.timestamp());
            forecast(obs.key(), obs, record);
        } catch (InvalidObservationException e) {
            deadLetter(record, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Processing failed for a record of %s; it goes to the dead-letter topic", location());
            deadLetter(record, RejectReason.PROCESSING_ERROR, e.toString());
        }
    }

    private void forecast(String key, Observation obs, Record<byte[], byte[]> record) {
        SeriesStore.Slot slot = series.slot(key);
        if (slot == null) {
            slot = series.create(key, online.newState());
        }
        SeriesState state = slot.state;
        ModelSnapshot model;
        if (shared) {
            model = models.get(Stores.SHARED_MODEL_KEY);
        } else {
            if (!slot.modelKnown) { // looked up once while the key stays in memory; installs update it
                slot.model = models.get(key);
                slot.modelKnown = true;
            }
            model = slot.model;
        }
        long start = System.nanoTime();
        boolean made;
        try {
            synchronized (state) { // interactive queries copy it under this monitor
                made = online.observe(state, obs.values(), obs.timestamp(), model);
            }
        } finally {
            series.changed(slot); // even half changed by a failure: what the key serves and what is stored agree
        }
        double[] errors = online.scoredErrors();
        if (errors != null) {
            metrics.scored(online.scoredSource(), errors[0], errors[1]);
        }
        if (online.intervalCheck() != 0) {
            metrics.intervalChecked(online.intervalCheck() > 0);
        }
        if (online.fallbackChange() != 0) {
            metrics.fallback(online.fallbackChange() > 0);
        }
        if (made) {
            Forecast forecast = Forecast.of(key, state, variant, settings.nSteps());
            context().forward(new Record<>(record.key(), forecast.toJson(), obs.timestamp()), Stores.OUTPUT_NODE);
            metrics.prediction(state.forecastSource(), System.nanoTime() - start);
            metrics.series(key, obs.values()[0], forecast.forecast(), forecast.lower() == null ? Double.NaN : forecast.lower(),
                    forecast.upper() == null ? Double.NaN : forecast.upper(), state.onlineMae(), state.naiveMae());
        }
        scheduler.offer(key, state, model);
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String message) {
        metrics.rejected(reason);
        Optional<RecordMetadata> meta = context().recordMetadata();
        var headers = DeadLetter.headers(record.headers(), reason, message,
                meta.map(RecordMetadata::topic).orElse(null),
                meta.map(RecordMetadata::partition).orElse(-1),
                meta.map(RecordMetadata::offset).orElse(-1L));
        context().forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), Stores.DEAD_LETTER_NODE);
    }

    private String location() {
        return context().recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }

    static <V> Map<String, V> lru(int size) {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > size;
            }
        };
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.close();
        }
        if (taskName != null) {
            metrics.unregisterModelCount(taskName);
        }
    }

    /**
     * Decoded models of this task's keys, so the hot path does not decode a model per event. Only
     * this task writes its keys' models, so the cache is always current.
     */
    static final class ModelCache {
        private final KeyValueStore<String, byte[]> store;
        private final Map<String, ModelSnapshot> cache;
        private final java.util.function.BiConsumer<String, ModelSnapshot> installed;
        private volatile long count = -1;

        /** @param installed told of every model written, so that what the series store's slots keep stays current */
        ModelCache(KeyValueStore<String, byte[]> store, int size, java.util.function.BiConsumer<String, ModelSnapshot> installed) {
            this.store = store;
            this.cache = lru(size);
            this.installed = installed;
        }

        ModelSnapshot get(String key) {
            ModelSnapshot m = cache.get(key);
            if (m == null) {
                byte[] bytes = store.get(key);
                if (bytes == null) {
                    return null;
                }
                try {
                    m = ModelFormat.decode(bytes);
                } catch (IllegalArgumentException e) {
                    LOG.errorf("Stored model of key '%s' is unreadable, ignored until retrained: %s", key, e.getMessage());
                    return null;
                }
                cache.put(key, m);
            }
            return m;
        }

        void put(String key, ModelSnapshot model) {
            if (count >= 0 && store.get(key) == null) {
                count++;
            }
            store.put(key, ModelFormat.encode(model));
            cache.put(key, model);
            installed.accept(key, model);
        }

        /** Models in this task's store: counted once, then kept up to date. */
        long count() {
            long n = count;
            return n < 0 ? 0 : n;
        }

        void initCount() {
            long n = 0;
            try (var it = store.all()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            count = n;
        }
    }
}
