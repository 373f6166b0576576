package io.streamforecaster.stream;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * The exception handlers' dead-letter producer: one per process and producer configuration,
 * made at its first use and closed when the service stops. Kafka Streams creates its handlers anew
 * for each task it creates (at every rebalance and thread replacement) and never closes them, so a
 * producer of each handler's own stayed open, with its network thread, every time one was used.
 */
final class SafetyNetProducers {

    private static final Logger LOG = Logger.getLogger(SafetyNetProducers.class);
    private static final Map<Map<String, Object>, Producer<byte[], byte[]>> OPEN = new HashMap<>();

    private SafetyNetProducers() {
    }

    static Producer<byte[], byte[]> of(Map<String, Object> config) {
        return of(config, c -> new KafkaProducer<>(new HashMap<>(c), new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** As {@link #of(Map)}, making a producer with {@code make} if there is none for {@code config} yet. */
    static synchronized Producer<byte[], byte[]> of(Map<String, Object> config, Function<Map<String, Object>, Producer<byte[], byte[]>> make) {
        return OPEN.computeIfAbsent(Map.copyOf(config), make);
    }

    /**
     * Closes every producer made so far (after Kafka Streams has stopped), each whatever became of
     * the others, all within {@code timeout}. A later use makes a new one: only a stream thread that outlived Kafka Streams'
     * close timeout could, and its producer then ends with the process, which is stopping.
     */
    static synchronized void closeAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos(); // all of them together
        for (Producer<byte[], byte[]> p : OPEN.values()) {
            try {
                p.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (RuntimeException e) {
                LOG.warnf(e, "Could not close the dead-letter safety-net producer");
            }
        }
        OPEN.clear();
    }

    static synchronized int open() {
        return OPEN.size();
    }
}
