package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class LoggingProductionHandlerTest {

    final LoggingProductionHandler handler = new LoggingProductionHandler();
    final DefaultErrorHandlerContext context = new DefaultErrorHandlerContext(null, "in", 0, 1, new RecordHeaders(), "forecast",
            new TaskId(0, 0), 0, null, null);

    ProductionExceptionHandlerResponse refused(String topic, Exception e) {
        return handler.handle(context, new ProducerRecord<>(topic, new byte[] {'k'}, new byte[10]), e);
    }

    @Test
    void shouldSkipATooLargeForecastOrDeadLetterButNeverAChangelogWrite() {
        handler.configure(Map.of("forecaster.topics.output", "out", "forecaster.topics.dead-letter", "dlq"));
        var tooLarge = new RecordTooLargeException("too large");

        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, refused("out", tooLarge));
        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, refused("dlq", tooLarge));
        assertEquals(ProductionExceptionHandlerResponse.FAIL, refused("app-forecaster-series-changelog", tooLarge));
        assertEquals(ProductionExceptionHandlerResponse.FAIL, refused("app-forecaster-models-changelog", tooLarge));
        assertEquals(ProductionExceptionHandlerResponse.FAIL, refused("out", new TimeoutException("broker away")));
    }

    /** A timestamp out of the broker's bounds is refused for good, like a too-large record; the anomalies topic is output too. */
    @Test
    void shouldSkipAnOutputRecordWhoseTimestampTheBrokerRefuses() {
        handler.configure(Map.of("forecaster.topics.output", "out", "forecaster.topics.dead-letter", "dlq", "forecaster.topics.anomalies", "anomalies"));
        var badTime = new org.apache.kafka.common.errors.InvalidTimestampException("timestamp out of range");

        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, refused("out", badTime));
        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, refused("anomalies", badTime));
        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, refused("anomalies", new RecordTooLargeException("too large")));
        assertEquals(ProductionExceptionHandlerResponse.FAIL, refused("app-forecaster-series-changelog", badTime));
    }
}
