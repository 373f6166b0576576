package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * An instance restoring its stores is not ready, though Kafka Streams says RUNNING or REBALANCING
 * all along: a rolling update must wait for it before it restarts the next instance.
 */
class KafkaStreamsHealthTest {

    @Test
    void shouldNotBeReadyWhileAStoreIsRestored() {
        RestoringPartitions restoring = new RestoringPartitions();
        TopicPartition series = new TopicPartition("app-forecaster-series-changelog", 3);
        TopicPartition models = new TopicPartition("app-forecaster-models-changelog", 3);

        restoring.onRestoreStart(series, "forecaster-series", 0, 100_000);
        restoring.onRestoreStart(models, "forecaster-models", 0, 10_000);
        assertEquals(HealthCheckResponse.Status.DOWN, KafkaStreamsHealth.readiness(KafkaStreams.State.REBALANCING, restoring.count()).getStatus());

        restoring.onRestoreEnd(series, "forecaster-series", 100_000);
        assertEquals(HealthCheckResponse.Status.DOWN, KafkaStreamsHealth.readiness(KafkaStreams.State.REBALANCING, restoring.count()).getStatus());
        restoring.onRestoreSuspended(models, "forecaster-models", 5_000); // the task moved away
        assertEquals(0, restoring.count());
        assertEquals(HealthCheckResponse.Status.UP, KafkaStreamsHealth.readiness(KafkaStreams.State.REBALANCING, 0).getStatus(),
                "a rebalance that restores nothing here keeps the instance ready");
        assertEquals(HealthCheckResponse.Status.UP, KafkaStreamsHealth.readiness(KafkaStreams.State.RUNNING, 1).getStatus(),
                "RUNNING means every active task is restored, whatever the listener missed");
        assertEquals(HealthCheckResponse.Status.DOWN, KafkaStreamsHealth.readiness(KafkaStreams.State.PENDING_SHUTDOWN, 0).getStatus());
    }

    /** A restore Kafka Streams dropped without a word (it failed, its thread was replaced) must not hold readiness down in later rebalances. */
    @Test
    void shouldForgetARestoreNeverAnnouncedAsOverOnceKafkaStreamsRuns() {
        RestoringPartitions restoring = new RestoringPartitions();
        restoring.onRestoreStart(new TopicPartition("app-forecaster-series-changelog", 7), "forecaster-series", 0, 100);
        java.util.concurrent.atomic.AtomicReference<KafkaStreams.State> state = new java.util.concurrent.atomic.AtomicReference<>(KafkaStreams.State.RUNNING);
        var check = KafkaStreamsHealth.readiness(state::get, restoring);

        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
        state.set(KafkaStreams.State.REBALANCING); // another instance joins: nothing restores here
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus(), "the dropped restore is forgotten");
    }
}
