package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.ingest.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * A dead letter must fit the producer's {@code max.request.size} as Kafka's producer measures it
 * (a refused write stalls an exactly-once stream); one that fits whole is written whole.
 */
class DeadLetterFitTest {

    static final int MAX = 65_536;

    static Headers headers() {
        return DeadLetter.headers(new RecordHeaders(), RejectReason.TOO_LARGE, "value of 75536 bytes is longer than 4096", "in", 3, 1234L);
    }

    static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    /** What Kafka's producer checks against max.request.size before it sends (KafkaProducer.doSend). */
    static int kafkaSize(DeadLetterFit fit, Headers headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.LZ4,
                fit.key() == null ? null : ByteBuffer.wrap(fit.key()), fit.value() == null ? null : ByteBuffer.wrap(fit.value()), headers.toArray());
    }

    static String header(Headers h, String name) {
        var v = h.lastHeader(name);
        return v == null ? null : new String(v.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldKeepARecordThatFitsWhole() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = bytes(MAX - 2_000, '7');
        Headers h = headers();

        DeadLetterFit fit = DeadLetterFit.of(key, value, h, MAX);

        assertSame(value, fit.value());
        assertSame(key, fit.key());
        assertNull(h.lastHeader(DeadLetter.TRUNCATED_FROM));
    }

    @Test
    void shouldCutAValueTooLargeToTheStartThatFitsAndSayHowLongItWas() {
        byte[] value = bytes(MAX + 10_000, '7');
        for (int size : new int[] {MAX - 300, MAX, MAX + 10_000, 1_048_400}) {
            Headers h = headers();
            DeadLetterFit fit = DeadLetterFit.of("k".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(value, Math.min(size, value.length)), h, MAX);

            assertTrue(kafkaSize(fit, h) <= MAX, size + " bytes: " + kafkaSize(fit, h));
            assertTrue(fit.value().length > MAX - 1_000, "keeps nearly all that fits: " + fit.value().length);
            assertEquals(Integer.toString(Math.min(size, value.length)), header(h, DeadLetter.TRUNCATED_FROM));
            assertArrayEquals(Arrays.copyOf(value, fit.value().length), fit.value(), "the value's start");
            assertEquals("1234", header(h, DeadLetter.SOURCE_OFFSET), "where the whole record is");
        }
    }

    @Test
    void shouldCutAKeyTooLargeAsWell() {
        Headers h = headers();
        DeadLetterFit fit = DeadLetterFit.of(bytes(MAX * 2, 'k'), bytes(MAX * 2, 'v'), h, MAX);

        assertTrue(kafkaSize(fit, h) <= MAX, "" + kafkaSize(fit, h));
        assertEquals(Integer.toString(MAX * 2), header(h, DeadLetter.KEY_TRUNCATED_FROM));
        assertEquals(Integer.toString(MAX * 2), header(h, DeadLetter.TRUNCATED_FROM));
        assertTrue(fit.key().length > MAX / 3 && fit.value().length > MAX / 3, fit.key().length + " / " + fit.value().length);
    }

    /** A record whose own headers alone would not fit: they are left out (counted), ours kept, and the dead letter fits. */
    @Test
    void shouldLeaveOutTheRecordsOwnHeadersWhenTheyAloneWouldNotFit() {
        RecordHeaders own = new RecordHeaders();
        for (int i = 0; i < 4; i++) {
            own.add("trace-" + i, bytes(MAX / 4, 't'));
        }
        Headers h = DeadLetter.headers(own, RejectReason.TOO_LARGE, "too large", "in", 0, 42L);

        DeadLetterFit fit = DeadLetterFit.of("k".getBytes(StandardCharsets.UTF_8), bytes(MAX, 'v'), h, MAX);

        assertTrue(kafkaSize(fit, h) <= MAX, "" + kafkaSize(fit, h));
        assertEquals("4", header(h, DeadLetter.HEADERS_DROPPED));
        assertEquals("42", header(h, DeadLetter.SOURCE_OFFSET));
        assertNull(h.lastHeader("trace-0"));
    }

    @Test
    void shouldKeepTheErrorMessageShort() {
        Headers h = DeadLetter.headers(new RecordHeaders(), RejectReason.PROCESSING_ERROR, "x".repeat(50_000), "in", 0, 0);
        assertTrue(header(h, DeadLetter.MESSAGE).length() <= DeadLetter.MAX_MESSAGE_CHARS + 3);
    }
}
