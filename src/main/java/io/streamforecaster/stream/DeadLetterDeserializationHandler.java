package io.streamforecaster.stream;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * The topology reads bytes, so deserialization cannot fail today; should a serde ever be added,
 * a record it cannot read goes to the dead-letter topic instead of stopping the stream thread.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = Logger.getLogger(DeadLetterDeserializationHandler.class);
    private DeadLetterHandlers deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = new DeadLetterHandlers(configs);
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        LOG.errorf(exception, "Record %s-%d@%d could not be deserialized; sending it to the dead-letter topic",
                context.topic(), context.partition(), context.offset());
        // without its dead letter the record would be lost: fail, and it is read again
        return deadLetters.send(context, exception) == DeadLetterHandlers.Sent.FAILED
                ? DeserializationHandlerResponse.FAIL : DeserializationHandlerResponse.CONTINUE;
    }
}
