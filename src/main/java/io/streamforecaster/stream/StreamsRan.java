package io.streamforecaster.stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether Kafka Streams has run since the instance started, as Kafka Streams announces it. Quarkus
 * registers this bean as Kafka Streams' state listener. A probe that had to see RUNNING itself
 * missed a RUNNING that a rebalance ended between two probes (another pod joining, as in every
 * rolling update): the instance then stayed unready through that rebalance though nothing restored
 * here.
 */
@ApplicationScoped
public class StreamsRan implements KafkaStreams.StateListener {

    private final RestoringPartitions restoring;
    private volatile boolean ran;

    @Inject
    public StreamsRan(RestoringPartitions restoring) {
        this.restoring = restoring;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.RUNNING) {
            restoring.clear(); // every active task is restored: a restore Kafka Streams dropped unannounced (a failed one) is over
            ran = true;
        }
    }

    /** Whether Kafka Streams has been RUNNING since the instance started. */
    public boolean ran() {
        return ran;
    }
}
