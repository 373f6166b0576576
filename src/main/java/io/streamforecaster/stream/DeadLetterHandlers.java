package io.streamforecaster.stream;

import io.quarkus.arc.Arc;
import io.streamforecaster.ingest.RejectReason;
import io.streamforecaster.metrics.ForecasterMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * What the Kafka Streams exception handlers share: the configured dead-letter topic, a producer
 * for records that failed outside the processor's own error handling ({@link SafetyNetProducers}),
 * and the metrics.
 * Kafka Streams 4.1 has no dead-letter queue of its own (it comes in 4.2).
 */
final class DeadLetterHandlers {

    static final String TOPIC_CONFIG = "forecaster.topics.dead-letter";
    private static final Logger LOG = Logger.getLogger(DeadLetterHandlers.class);

    private final String topic;
    private final Map<String, Object> producerConfig = new HashMap<>();

    DeadLetterHandlers(Map<String, ?> configs) {
        Object t = configs.get(TOPIC_CONFIG);
        this.topic = t == null ? "forecaster-dlq" : t.toString();
        for (String name : ProducerConfig.configNames()) {
            if (name.equals(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
                continue;
            }
            // as Kafka Streams configures its own producers: a "producer."-prefixed setting over the plain one
            Object value = configs.get(StreamsConfig.PRODUCER_PREFIX + name);
            value = value != null ? value : configs.get(name);
            if (value != null) {
                producerConfig.put(name, value);
            }
        }
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "forecaster-dead-letter");
    }

    /** The safety-net producer's settings: every producer setting of the stream's (its credentials included), no transactional id. */
    Map<String, Object> producerConfig() {
        return Map.copyOf(producerConfig);
    }

    static ForecasterMetrics metrics() {
        try {
            var container = Arc.container();
            return container == null ? null : container.instance(ForecasterMetrics.class).get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** What became of a safety-net dead letter. */
    enum Sent {
        /** written (or nothing to write: a record with neither key nor value) */
        WRITTEN,
        /** refused for good by the broker or the producer (too large, a timestamp out of bounds): logged and counted; retrying would not help */
        REFUSED,
        /** not written, and it might be on another try: the record must not be given up */
        FAILED
    }

    /** Whether a failed write can never succeed, however often it is tried: the record itself is refused. */
    static boolean refusedForGood(Throwable failure) {
        return failure instanceof org.apache.kafka.common.errors.RecordTooLargeException
                || failure instanceof org.apache.kafka.common.errors.InvalidTimestampException;
    }

    /** Sends the failed record's original bytes to the dead-letter topic and waits for the ack. */
    synchronized Sent send(ErrorHandlerContext ctx, Exception exception) {
        ForecasterMetrics m = metrics();
        if (m != null) {
            m.rejected(RejectReason.PROCESSING_ERROR);
        }
        if (ctx.sourceRawValue() == null && ctx.sourceRawKey() == null) {
            return Sent.WRITTEN;
        }
        try {
            var producer = producer();
            var headers = DeadLetter.headers(ctx.headers(), RejectReason.PROCESSING_ERROR, String.valueOf(exception),
                    ctx.topic(), ctx.partition(), ctx.offset());
            var fit = DeadLetterFit.of(ctx.sourceRawKey(), ctx.sourceRawValue(), headers, maxRequestBytes());
            producer.send(new ProducerRecord<>(topic, null, ctx.timestamp(), fit.key(), fit.value(), headers))
                    .get(30, TimeUnit.SECONDS);
            return Sent.WRITTEN;
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.errorf(cause, "Could not send a failed record of %s-%d@%d to the dead-letter topic %s",
                    ctx.topic(), ctx.partition(), ctx.offset(), topic);
            if (refusedForGood(cause)) {
                if (m != null) {
                    m.productionError();
                }
                return Sent.REFUSED;
            }
            return Sent.FAILED;
        }
    }

    /** The safety-net producer's {@code max.request.size}. */
    long maxRequestBytes() {
        Object v = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return v == null ? RecordSizes.KAFKA_DEFAULT_MAX_REQUEST : Long.parseLong(v.toString().trim());
    }

    /** The process's safety-net producer for these settings, shared with every other handler. */
    Producer<byte[], byte[]> producer() {
        return SafetyNetProducers.of(producerConfig);
    }
}
