package io.streamforecaster.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A dead letter that fits one produce request. The dead-letter topic gets a rejected record's own
 * bytes, but a record the broker took can be too large to copy with the headers that say why
 * (the broker's default batch limit, 1,048,588 bytes, is 12 above the producer's request limit,
 * and an operator may lower the producer's). Such a write is refused for good: under exactly-once it aborts the
 * transaction, the record is read again and refused again, and the partition stalls. So the key and
 * value are cut to what fits, and headers give their lengths; the whole record stays at the
 * source offset the dead letter names.
 *
 * @param key   the key to write (the original, or its start)
 * @param value the value to write (the original, or its start)
 */
public record DeadLetterFit(byte[] key, byte[] value) {

    /** A record's framing in a produce request beside its key, value and headers (batch header, lengths, timestamp), with room to spare. */
    static final int FRAMING_BYTES = 256;
    /** Our own headers' names begin so. */
    static final String OWN_HEADERS = "forecaster.";
    /** What a length header we may add takes, at most. */
    private static final int LENGTH_HEADER_BYTES = 64;

    /**
     * Cuts the value, and then the key, to their starts until the dead letter fits
     * {@code maxRequestBytes}, adding {@link DeadLetter#TRUNCATED_FROM} (and
     * {@link DeadLetter#KEY_TRUNCATED_FROM}) to {@code headers} for what it cut.
     */
    public static DeadLetterFit of(byte[] key, byte[] value, Headers headers, long maxRequestBytes) {
        if (headerBytes(headers) > maxRequestBytes / 4) { // the record's own headers would leave too little room: ours are kept
            int dropped = 0;
            for (Header h : headers.toArray()) {
                if (!h.key().startsWith(OWN_HEADERS)) {
                    headers.remove(h.key());
                    dropped++;
                }
            }
            headers.add(DeadLetter.HEADERS_DROPPED, Integer.toString(dropped).getBytes(StandardCharsets.UTF_8));
        }
        int keyBytes = key == null ? 0 : key.length;
        int valueBytes = value == null ? 0 : value.length;
        long room = maxRequestBytes - FRAMING_BYTES - headerBytes(headers) - 2L * LENGTH_HEADER_BYTES;
        if ((long) keyBytes + valueBytes <= room) {
            return new DeadLetterFit(key, value);
        }
        long keptKey = Math.min(keyBytes, Math.max(0, room / 2)); // the value gets what the key leaves, and the key at least half
        long keptValue = Math.max(0, Math.min(valueBytes, room - keptKey));
        keptKey = Math.max(0, Math.min(keyBytes, room - keptValue));
        if (value != null && keptValue < valueBytes) {
            headers.add(DeadLetter.TRUNCATED_FROM, Integer.toString(valueBytes).getBytes(StandardCharsets.UTF_8));
            value = Arrays.copyOf(value, (int) keptValue);
        }
        if (key != null && keptKey < keyBytes) {
            headers.add(DeadLetter.KEY_TRUNCATED_FROM, Integer.toString(keyBytes).getBytes(StandardCharsets.UTF_8));
            key = Arrays.copyOf(key, (int) keptKey);
        }
        return new DeadLetterFit(key, value);
    }

    /** The headers' bytes in a record: names, values and their lengths. */
    static long headerBytes(Headers headers) {
        long n = 0;
        for (Header h : headers) {
            n += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length) + 10;
        }
        return n;
    }
}
