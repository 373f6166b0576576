package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.metrics.ForecasterMetrics;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterProcessingHandlerTest {

    @Test
    void shouldCountAFailedPunctuationApartFromRejectedRecordsAndGoOn() {
        var registry = new SimpleMeterRegistry();
        var metrics = new ForecasterMetrics(registry, () -> 0);
        var handler = new DeadLetterProcessingHandler();
        handler.configure(Map.of("forecaster.topics.dead-letter", "dlq"));
        handler.metrics = () -> metrics;
        var context = new DefaultErrorHandlerContext(null, null, -1, -1, new RecordHeaders(), "forecast", new TaskId(0, 1), 0, null, null);

        var response = handler.handle(context, null, new IllegalStateException("punctuation failed"));

        assertEquals(ProcessingHandlerResponse.CONTINUE, response);
        assertEquals(1, registry.get("forecaster.punctuation.failures").counter().count());
        assertEquals(0, registry.get("forecaster.rejected").tag("reason", "processing-error").counter().count());
    }

    /**
     * A failed write to Kafka that Kafka Streams reports at a later send or in a punctuation: going on
     * would commit offsets past the lost output, so the thread fails (and resumes from the last commit).
     */
    @Test
    void shouldFailTheThreadOnAFailedWriteToKafka() {
        var handler = new DeadLetterProcessingHandler();
        handler.configure(Map.of("forecaster.topics.dead-letter", "dlq"));
        var context = new DefaultErrorHandlerContext(null, "in", 0, 7, new RecordHeaders(), "forecast", new TaskId(0, 1), 0, null, null);
        var failedSend = new org.apache.kafka.streams.errors.StreamsException("Error encountered sending record to topic out");
        var record = new org.apache.kafka.streams.processor.api.Record<>(new byte[] {1}, new byte[] {2}, 0L);

        assertEquals(ProcessingHandlerResponse.FAIL, handler.handle(context, record, failedSend));
        assertEquals(ProcessingHandlerResponse.FAIL, handler.handle(context, null, failedSend), "in a punctuation too");
    }

    /** The safety net could not write the dead letter (the broker is unreachable): going on would lose the record. */
    @Test
    void shouldFailTheThreadWhenTheDeadLetterCannotBeWritten() {
        var handler = new DeadLetterProcessingHandler();
        handler.configure(Map.of("forecaster.topics.dead-letter", "dlq", "bootstrap.servers", "localhost:1", "max.block.ms", 300));
        var context = new DefaultErrorHandlerContext(null, "in", 0, 7, new RecordHeaders(), "forecast", new TaskId(0, 1), 0,
                new byte[] {'k'}, new byte[] {'1'});
        var record = new org.apache.kafka.streams.processor.api.Record<>(new byte[] {'k'}, new byte[] {'1'}, 0L);

        try {
            assertEquals(ProcessingHandlerResponse.FAIL, handler.handle(context, record, new IllegalStateException("a bug")));
        } finally {
            SafetyNetProducers.closeAll(java.time.Duration.ZERO);
        }
    }

    /**
     * A dead letter refused for good (too large, a timestamp out of bounds) would be refused on every
     * try: the thread must not fail on it, or each replacement would die on the same record.
     */
    @Test
    void shouldTellARefusalForGoodFromAFailureThatMayPass() {
        assertEquals(true, DeadLetterHandlers.refusedForGood(new org.apache.kafka.common.errors.RecordTooLargeException("1 MiB")));
        assertEquals(true, DeadLetterHandlers.refusedForGood(new org.apache.kafka.common.errors.InvalidTimestampException("ahead")));
        assertEquals(false, DeadLetterHandlers.refusedForGood(new org.apache.kafka.common.errors.TimeoutException("broker away")));
        assertEquals(false, DeadLetterHandlers.refusedForGood(new org.apache.kafka.common.errors.TopicAuthorizationException("acl")));
    }
}
