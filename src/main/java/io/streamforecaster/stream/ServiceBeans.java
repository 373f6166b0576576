package io.streamforecaster.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.TrainingPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
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

    @Produces
    @Singleton
    TrainingPool trainingPool(StreamSettings settings, ForecasterConfig config) {
        return TrainingPool.create(settings.training(), config.training().threads(), config.training().queueCapacity());
    }

    @Produces
    @Singleton
    ForecasterMetrics metrics(MeterRegistry registry, TrainingPool pool, ForecasterConfig config) {
        return new ForecasterMetrics(registry, pool::pending, config.metrics().seriesKeys());
    }

    /**
     * A stream thread that dies of an error that escaped every handler (a broker refusing writes
     * for good, a bug) is replaced, so the service keeps consuming; the error is logged in full.
     */
    @Produces
    @Singleton
    StreamsUncaughtExceptionHandler replaceFailedStreamThreads() {
        return e -> {
            LOG.errorf(e, "A stream thread failed; it is replaced and its tasks resume from the last commit");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        };
    }

    void stopTraining(@Observes ShutdownEvent event, TrainingPool pool) {
        pool.close();
    }
}
