package io.streamforecaster.stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Kafka Streams' state as health: ready while it runs (or rebalances); not alive only in its
 * terminal ERROR state, which a restart can fix. Waiting (for the input topic, for credentials
 * that work) is not ready but alive, so the orchestrator does not restart a pod that a restart
 * cannot help (Quarkus' own liveness check was DOWN until Kafka Streams ran).
 */
@ApplicationScoped
public class KafkaStreamsHealth {

    static final String NAME = "Kafka Streams state";

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck ready(KafkaStreams streams) {
        return () -> {
            KafkaStreams.State s = streams.state();
            return HealthCheckResponse.named(NAME).status(s.isRunningOrRebalancing()).withData("state", s.name()).build();
        };
    }

    @Produces
    @Liveness
    @ApplicationScoped
    HealthCheck alive(KafkaStreams streams) {
        return () -> {
            KafkaStreams.State s = streams.state();
            return HealthCheckResponse.named(NAME).status(s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR)
                    .withData("state", s.name()).build();
        };
    }
}
