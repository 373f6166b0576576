package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * A starting instance restoring its stores is not ready, though Kafka Streams says REBALANCING
 * all along: a rolling update must wait for it before it restarts the next instance. Once it has
 * run, a rebalance's restore (a dead instance's partitions coming to it) keeps it ready: otherwise
 * every survivor left the Service at once, and no key could be asked for until they had restored.
 */
class KafkaStreamsHealthTest {

    static final HealthCheckResponse.Status UP = HealthCheckResponse.Status.UP;
    static final HealthCheckResponse.Status DOWN = HealthCheckResponse.Status.DOWN;

    @Test
    void shouldNotBeReadyBeforeItsStoresAreRestoredAtStart() {
        RestoringPartitions restoring = new RestoringPartitions();
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
        var check = KafkaStreamsHealth.readiness(state::get, restoring);

        assertEquals(DOWN, check.call().getStatus(), "joining the group, before any store restores");
        restoring.onRestoreStart(new TopicPartition("app-forecaster-series-changelog", 3), "forecaster-series", 0, 100_000);
        assertEquals(DOWN, check.call().getStatus());
        assertEquals(1L, check.call().getData().get().get("restoring changelog partitions"));
        restoring.onRestoreEnd(new TopicPartition("app-forecaster-series-changelog", 3), "forecaster-series", 100_000);
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(UP, check.call().getStatus());
    }

    @Test
    void shouldStayReadyWhileARebalanceRestoresTheStoresOfAnotherInstance() {
        RestoringPartitions restoring = new RestoringPartitions();
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        var check = KafkaStreamsHealth.readiness(state::get, restoring);
        assertEquals(UP, check.call().getStatus());

        state.set(KafkaStreams.State.REBALANCING); // another instance died: its partitions come here
        restoring.onRestoreStart(new TopicPartition("app-forecaster-series-changelog", 5), "forecaster-series", 0, 100_000);
        assertEquals(UP, check.call().getStatus(), "its other keys are still served");
        state.set(KafkaStreams.State.PENDING_SHUTDOWN);
        assertEquals(DOWN, check.call().getStatus());
    }

    /** A restore Kafka Streams dropped without a word (it failed, its thread was replaced) is forgotten once it runs. */
    @Test
    void shouldForgetARestoreNeverAnnouncedAsOverOnceKafkaStreamsRuns() {
        RestoringPartitions restoring = new RestoringPartitions();
        restoring.onRestoreStart(new TopicPartition("app-forecaster-series-changelog", 7), "forecaster-series", 0, 100);
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        var check = KafkaStreamsHealth.readiness(state::get, restoring);

        assertEquals(UP, check.call().getStatus());
        assertEquals(0, restoring.count(), "the dropped restore is forgotten");
    }
}
