package io.streamforecaster.stream;

import io.streamforecaster.ingest.RejectReason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The contract's dead-letter headers. */
public final class DeadLetter {

    public static final String REASON = "forecaster.error.reason";
    public static final String MESSAGE = "forecaster.error.message";
    public static final String SOURCE_TOPIC = "forecaster.source.topic";
    public static final String SOURCE_PARTITION = "forecaster.source.partition";
    public static final String SOURCE_OFFSET = "forecaster.source.offset";
    /** On a dead letter whose value is only the original's start (the whole would not fit a produce request): the original's length in bytes. */
    public static final String TRUNCATED_FROM = "forecaster.value.truncated-from";
    /** As {@link #TRUNCATED_FROM}, for a key that alone would not fit. */
    public static final String KEY_TRUNCATED_FROM = "forecaster.key.truncated-from";
    /** On a dead letter whose record's own headers were too large to keep: how many were left out (ours are kept). */
    public static final String HEADERS_DROPPED = "forecaster.headers.dropped";
    /** The longest error message a dead letter carries, in characters. */
    static final int MAX_MESSAGE_CHARS = 1000;

    private DeadLetter() {
    }

    /** The original headers plus ours (ours replace any of the same name). */
    public static Headers headers(Headers original, RejectReason reason, String message, String topic, int partition, long offset) {
        RecordHeaders h = new RecordHeaders(original == null ? new org.apache.kafka.common.header.Header[0] : original.toArray());
        put(h, REASON, reason.id());
        put(h, MESSAGE, message == null ? "" : message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
        put(h, SOURCE_TOPIC, topic == null ? "" : topic);
        put(h, SOURCE_PARTITION, Integer.toString(partition));
        put(h, SOURCE_OFFSET, Long.toString(offset));
        return h;
    }

    private static void put(RecordHeaders h, String name, String value) {
        h.remove(name);
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
