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
}
