package io.streamforecaster.stream;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A forecast or dead letter the broker refuses for good (too large, for example) is logged with
 * its key and counted, and the stream goes on; other errors fail the thread as Kafka Streams would.
 */
public class LoggingProductionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = Logger.getLogger(LoggingProductionHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        var m = DeadLetterHandlers.metrics();
        if (m != null) {
            m.productionError();
        }
        String key = record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8);
        if (exception instanceof RecordTooLargeException) {
            LOG.errorf(exception, "Broker refused a record for topic %s, key '%s' (%d bytes); it is skipped",
                    record.topic(), key, record.value() == null ? 0 : record.value().length);
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        LOG.errorf(exception, "Could not produce to topic %s, key '%s'", record.topic(), key);
        return ProductionExceptionHandlerResponse.FAIL;
    }
}
