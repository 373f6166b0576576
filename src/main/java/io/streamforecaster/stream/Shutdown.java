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

    public static void stop(KafkaStreams streams, Duration timeout, TrainingPool pool) {
        try {
            streams.close(timeout);
        } finally {
            try {
                pool.close();
            } finally {
                SafetyNetProducers.closeAll(timeout); // after the stream threads, the handlers' only users
            }
        }
    }
}
