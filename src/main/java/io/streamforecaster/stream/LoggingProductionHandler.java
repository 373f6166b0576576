package io.streamforecaster.stream;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A forecast, anomaly or dead letter the broker refuses for good (too large, or a timestamp out of
 * its bounds) is logged with its key and
 * counted, and the stream goes on: it is output, and its input is committed as seen. Every other
 * failed write fails the stream thread as Kafka Streams would, above all a changelog write: a
 * skipped one would leave a key's state or model only on this instance's disk, to be lost on the
 * next restore (the settings are checked at startup so that those records fit, {@link RecordSizes}).
 */
public class LoggingProductionHandler implements ProductionExceptionHandler {

    static final String OUTPUT_TOPIC_CONFIG = "forecaster.topics.output";
    static final String ANOMALIES_TOPIC_CONFIG = "forecaster.topics.anomalies";
    private static final Logger LOG = Logger.getLogger(LoggingProductionHandler.class);

    private Set<String> skippable = Set.of();

    @Override
    public void configure(Map<String, ?> configs) {
        Object output = configs.get(OUTPUT_TOPIC_CONFIG);
        Object deadLetter = configs.get(DeadLetterHandlers.TOPIC_CONFIG);
        Object anomalies = configs.get(ANOMALIES_TOPIC_CONFIG);
        Set<String> topics = new java.util.HashSet<>(Set.of(output == null ? "forecaster-predictions" : output.toString(),
                deadLetter == null ? "forecaster-dlq" : deadLetter.toString()));
        if (anomalies != null && !anomalies.toString().isBlank()) {
            topics.add(anomalies.toString());
        }
        skippable = Set.copyOf(topics);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        var m = DeadLetterHandlers.metrics();
        if (m != null) {
            m.productionError();
        }
        String key = record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8);
        if (DeadLetterHandlers.refusedForGood(exception) && skippable.contains(record.topic())) {
            LOG.errorf(exception, "Broker refused a record for topic %s, key '%s' (%d bytes) for good; it is skipped",
                    record.topic(), key, record.value() == null ? 0 : record.value().length);
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        LOG.errorf(exception, "Could not produce to topic %s, key '%s' (%d bytes); the stream thread fails and its tasks resume from the last commit",
                record.topic(), key, record.value() == null ? 0 : record.value().length);
        return ProductionExceptionHandlerResponse.FAIL;
    }
}
