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

/** Builds the service's plain objects from configuration; the rest of the code does not know CDI. */
@ApplicationScoped
public class ServiceBeans {

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
    ForecasterMetrics metrics(MeterRegistry registry, TrainingPool pool) {
        return new ForecasterMetrics(registry, pool::pending);
    }

    void stopTraining(@Observes ShutdownEvent event, TrainingPool pool) {
        pool.close();
    }
}
