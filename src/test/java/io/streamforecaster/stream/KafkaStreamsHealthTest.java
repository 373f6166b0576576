package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * An instance restoring its stores is not ready, though Kafka Streams says REBALANCING all along:
 * a rolling update must wait for it before it restarts the next instance. A starting instance is
 * not ready before Kafka Streams first runs: while it joins the group, before its restore begins,
 * nothing is restoring yet, and it was ready for that moment.
 */
class KafkaStreamsHealthTest {

    static final HealthCheckResponse.Status UP = HealthCheckResponse.Status.UP;
    static final HealthCheckResponse.Status DOWN = HealthCheckResponse.Status.DOWN;
    static final TopicPartition SERIES = new TopicPartition("app-forecaster-series-changelog", 3);
    static final TopicPartition MODELS = new TopicPartition("app-forecaster-models-changelog", 3);

    @Test
    void shouldNotBeReadyBeforeKafkaStreamsFirstRuns() {
        RestoringPartitions restoring = new RestoringPartitions();
        States state = new States(restoring, KafkaStreams.State.REBALANCING);
        var check = state.check();

        assertEquals(DOWN, check.call().getStatus(), "joining the group, before its restore begins");
        restoring.onRestoreStart(SERIES, "forecaster-series", 0, 100_000);
        assertEquals(DOWN, check.call().getStatus());
        assertEquals(1L, check.call().getData().get().get("restoring changelog partitions"));
        restoring.onRestoreEnd(SERIES, "forecaster-series", 100_000);
        assertEquals(DOWN, check.call().getStatus(), "restored, but Kafka Streams has not run yet");
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(UP, check.call().getStatus());
    }

    @Test
    void shouldNotBeReadyWhileARebalanceRestoresAStoreHere() {
        RestoringPartitions restoring = new RestoringPartitions();
        States state = new States(restoring, KafkaStreams.State.RUNNING);
        var check = state.check();
        assertEquals(UP, check.call().getStatus());

        state.set(KafkaStreams.State.REBALANCING);
        assertEquals(UP, check.call().getStatus(), "a rebalance that restores nothing here keeps the instance ready");
        restoring.onRestoreStart(SERIES, "forecaster-series", 0, 100_000);
        restoring.onRestoreStart(MODELS, "forecaster-models", 0, 10_000);
        assertEquals(DOWN, check.call().getStatus());
        restoring.onRestoreEnd(SERIES, "forecaster-series", 100_000);
        assertEquals(DOWN, check.call().getStatus());
        restoring.onRestoreSuspended(MODELS, "forecaster-models", 5_000); // the task moved away
        assertEquals(UP, check.call().getStatus());
        state.set(KafkaStreams.State.PENDING_SHUTDOWN);
        assertEquals(DOWN, check.call().getStatus());
    }

    /** A restore Kafka Streams dropped without a word (it failed, its thread was replaced) must not hold readiness down in later rebalances. */
    @Test
    void shouldForgetARestoreNeverAnnouncedAsOverOnceKafkaStreamsRuns() {
        RestoringPartitions restoring = new RestoringPartitions();
        restoring.onRestoreStart(new TopicPartition("app-forecaster-series-changelog", 7), "forecaster-series", 0, 100);
        States state = new States(restoring, KafkaStreams.State.RUNNING);
        var check = state.check();

        assertEquals(UP, check.call().getStatus());
        state.set(KafkaStreams.State.REBALANCING); // another instance joins: nothing restores here
        assertEquals(UP, check.call().getStatus(), "the dropped restore is forgotten");
    }

    /** A RUNNING that a rebalance ended before any probe came still counts: the instance has run. */
    @Test
    void shouldCountARunNoProbeSaw() {
        RestoringPartitions restoring = new RestoringPartitions();
        States state = new States(restoring, KafkaStreams.State.REBALANCING);
        var check = state.check();
        assertEquals(DOWN, check.call().getStatus());

        state.set(KafkaStreams.State.RUNNING); // no probe now
        state.set(KafkaStreams.State.REBALANCING); // another pod joins; nothing restores here
        assertEquals(UP, check.call().getStatus(), "it ran: a rebalance that restores nothing here keeps it ready");
    }

    /** Kafka Streams' state, changed as Kafka Streams changes it: the listener hears of each change. */
    static final class States {
        private final RestoringPartitions restoring;
        private final StreamsRan ran;
        private volatile KafkaStreams.State state;

        States(RestoringPartitions restoring, KafkaStreams.State initial) {
            this.restoring = restoring;
            this.ran = new StreamsRan(restoring);
            this.state = KafkaStreams.State.CREATED;
            set(initial);
        }

        void set(KafkaStreams.State next) {
            KafkaStreams.State old = state;
            state = next;
            ran.onChange(next, old);
        }

        org.eclipse.microprofile.health.HealthCheck check() {
            return KafkaStreamsHealth.readiness(() -> state, restoring, ran);
        }
    }
}
