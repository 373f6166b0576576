package io.streamforecaster.stream;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * Safety net for exceptions that escape the processor's own handling. A failed record goes to the
 * dead-letter topic with reason {@code processing-error} and the stream goes on; a failed
 * punctuation (no record) is logged and counted, and the stream goes on too. A failed write to
 * Kafka is neither: the stream thread fails, as Kafka Streams would, and resumes from the last commit.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = Logger.getLogger(DeadLetterProcessingHandler.class);
    DeadLetterHandlers deadLetters;
    /** The service's metrics; looked up, as Kafka Streams creates this handler. */
    java.util.function.Supplier<io.streamforecaster.metrics.ForecasterMetrics> metrics = DeadLetterHandlers::metrics;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = new DeadLetterHandlers(configs);
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof KafkaException) {
            // a failed write to Kafka (a forecast, a dead letter, a changelog record) that Kafka Streams
            // reports at the next send, or a task migration: going on would commit offsets past records
            // whose output was lost; the thread fails and its tasks resume from the last commit
            LOG.errorf(exception, "A write to Kafka failed in task %s; the stream thread fails and its tasks resume from the last commit",
                    context.taskId());
            return ProcessingHandlerResponse.FAIL;
        }
        if (record == null) {
            LOG.errorf(exception, "Punctuation failed in task %s node %s; it runs again at its next interval",
                    context.taskId(), context.processorNodeId());
            var m = metrics.get();
            if (m != null) {
                m.punctuationFailed(); // no record was rejected
            }
            return ProcessingHandlerResponse.CONTINUE;
        }
        LOG.errorf(exception, "Record %s-%d@%d failed in node %s; sending it to the dead-letter topic",
                context.topic(), context.partition(), context.offset(), context.processorNodeId());
        // not written but it might be: going on would lose the record; the thread fails and it is processed again
        return deadLetters.send(context, exception) == DeadLetterHandlers.Sent.FAILED
                ? ProcessingHandlerResponse.FAIL : ProcessingHandlerResponse.CONTINUE;
    }
}
