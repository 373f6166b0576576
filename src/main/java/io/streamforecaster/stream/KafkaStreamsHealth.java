package io.streamforecaster.stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Kafka Streams' state as health: ready once it has run with every store of the instance restored,
 * and then while it runs, or rebalances with no store being restored ({@link RestoringPartitions});
 * not alive only in its
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
    HealthCheck ready(KafkaStreams streams, RestoringPartitions restoring, StreamsRan ran) {
        return readiness(streams::state, restoring, ran);
    }

    static HealthCheck readiness(java.util.function.Supplier<KafkaStreams.State> state, RestoringPartitions restoring, StreamsRan ran) {
        return () -> readiness(state.get(), restoring.count(), ran.ran());
    }

    /**
     * Ready while Kafka Streams runs, and while it rebalances with no store of this instance being
     * restored once it has run. A starting instance is not ready before Kafka Streams first runs
     * (RUNNING comes once its threads' active tasks are restored): while it joins the group its
     * restore has not begun yet, and a rolling update must not take it for restored. An instance
     * restoring stores is not ready either, so that the update waits for it; its queries could not
     * be answered meanwhile anyway (Kafka Streams refuses interactive queries on an instance while
     * one of its threads is not RUNNING).
     *
     * @param ran whether Kafka Streams has been RUNNING since the instance started
     */
    static HealthCheckResponse readiness(KafkaStreams.State s, int restoring, boolean ran) {
        boolean ready = s == KafkaStreams.State.RUNNING || (s == KafkaStreams.State.REBALANCING && ran && restoring == 0);
        return HealthCheckResponse.named(NAME).status(ready).withData("state", s.name()).withData("restoring changelog partitions", restoring).build();
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
