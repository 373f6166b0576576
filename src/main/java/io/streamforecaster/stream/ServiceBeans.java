package io.streamforecaster.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.TrainingPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/** Builds the service's plain objects from configuration; the rest of the code does not know CDI. */
@ApplicationScoped
public class ServiceBeans {

    private static final Logger LOG = Logger.getLogger(ServiceBeans.class);

    @Produces
    @Singleton
    StreamSettings settings(ForecasterConfig config) {
        return StreamSettings.from(config);
    }

    /** The heap this instance gives to keys' decoded states and models, shared by its tasks. */
    @Produces
    @Singleton
    MemoryBudget memoryBudget(ForecasterConfig config) {
        var configured = config.memory().budget();
        return MemoryBudget.forHeap(configured.isPresent() ? java.util.OptionalLong.of(configured.get().asLongValue()) : java.util.OptionalLong.empty(),
                Runtime.getRuntime().maxMemory());
    }

    /**
     * Every setting is checked as the service starts, whatever the broker's state: a wrong one stops
     * it with a message that names the setting (and a non-zero exit), not later on a stream thread.
     */
    void validate(@Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, StreamSettings settings, ForecasterConfig config, TrainingPool pool, MemoryBudget budget) {
        long maxRequest = RecordSizes.maxRequestSize(ConfigProvider.getConfig());
        RecordSizes.check(settings, maxRequest);
        if (config.memory().rocksdb().asLongValue() < RocksDbMemory.MIN_BYTES) {
            throw new IllegalArgumentException("Invalid forecaster.memory.rocksdb = " + config.memory().rocksdb().asLongValue()
                    + " bytes: at least 16M (RocksDB's block cache, index and filter blocks and memtables of every store)");
        }
        if (config.metrics().seriesKeys() < 0 || config.metrics().seriesKeys() > 1000) {
            throw new IllegalArgumentException("Invalid forecaster.metrics.series-keys = " + config.metrics().seriesKeys() + ": must be 0 to 1000");
        }
        if (config.metrics().seriesIdle().compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("Invalid forecaster.metrics.series-idle = " + config.metrics().seriesIdle() + ": at least 1s");
        }
        LOG.infof("Settings checked: state records up to %d bytes, model records %d bytes (max.request.size %d); memory budget %d MiB",
                RecordSizes.maxStateBytes(settings), RecordSizes.modelBytes(settings), maxRequest, budget.limit() >> 20);
    }

    @Produces
    @Singleton
    TrainingPool trainingPool(StreamSettings settings, ForecasterConfig config) {
        return TrainingPool.create(settings.training(), config.training().threads(), config.training().queueCapacity(),
                config.training().nice());
    }

    @Produces
    @Singleton
    ForecasterMetrics metrics(MeterRegistry registry, TrainingPool pool, ForecasterConfig config, MemoryBudget budget) {
        var metrics = new ForecasterMetrics(registry, pool::pending, config.metrics().seriesKeys(), config.metrics().seriesIdle(), System::nanoTime);
        metrics.memory(budget::used, budget::limit, budget::evictions);
        return metrics;
    }

    /**
     * A stream thread that dies of an error that escaped every handler (a broker refusing writes
     * for good, a bug) is replaced, so the service keeps consuming, unless threads keep dying: then
     * this instance stops and reports it through its liveness check.
     */
    @Produces
    @Singleton
    StreamThreadPolicy streamThreadPolicy(ForecasterConfig config, ForecasterMetrics metrics) {
        return new StreamThreadPolicy(config.streamThreads().maxReplacements(), config.streamThreads().replacementWindow(),
                System::currentTimeMillis, metrics);
    }

    /**
     * Kafka Streams stops (its tasks commit and close) before the training pool does; before
     * Quarkus' own observer too, which closes Kafka Streams without a time limit, and within
     * {@link #STOP_LIMIT} in all.
     */
    void stop(@Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event,
              KafkaStreams streams, TrainingPool pool) {
        LOG.info("Stopping: Kafka Streams first, then the training pool");
        Thread deadline = io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.NORMAL // dev mode restarts in the same JVM
                ? ShutdownDeadline.start(STOP_LIMIT, () -> Runtime.getRuntime().halt(1)) : null;
        boolean closed = Shutdown.stop(streams, CLOSE_TIMEOUT, pool);
        if (closed && deadline != null) {
            deadline.interrupt(); // Kafka Streams closed: Quarkus' own close of it returns at once, nothing left to bound
        }
    }

    public static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(30);
    /**
     * The longest a stop may take when Kafka Streams cannot close (30 s for it, 10 s for the pool, 5 s
     * for the dead-letter producers): the deployment files give 60 s (terminationGracePeriodSeconds, stop_grace_period).
     */
    public static final java.time.Duration STOP_LIMIT = java.time.Duration.ofSeconds(50);
}
