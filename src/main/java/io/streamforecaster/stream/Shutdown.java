package io.streamforecaster.stream;

import io.streamforecaster.model.TrainingPool;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The order the service stops in: Kafka Streams first, so that its tasks commit and close while
 * the training pool is still there (a punctuation would otherwise hand keys to a closed pool, and
 * training results interrupted by the pool's closing would be counted as failures), then the pool,
 * then the exception handlers' dead-letter producer.
 */
public final class Shutdown {

    private Shutdown() {
    }

    /** How long the dead-letter producers may take to close, all of them together. */
    static final Duration PRODUCERS_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Stops in order: Kafka Streams within {@code timeout}, the pool (at most 10 s), the producers
     * (at most {@link #PRODUCERS_TIMEOUT}).
     *
     * @return whether Kafka Streams closed within {@code timeout}
     */
    public static boolean stop(KafkaStreams streams, Duration timeout, TrainingPool pool) {
        boolean closed = false;
        try {
            closed = streams.close(timeout);
        } finally {
            try {
                pool.close();
            } finally {
                SafetyNetProducers.closeAll(PRODUCERS_TIMEOUT); // after the stream threads, the handlers' only users
            }
        }
        return closed;
    }
}
