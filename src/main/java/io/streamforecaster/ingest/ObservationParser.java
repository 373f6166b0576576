package io.streamforecaster.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Reads the contract's observation formats: a plain number, {@code {"value": x}}, or
 * {@code {"values": [..]}} with exactly n-features entries; an optional {@code "timestamp"}
 * (epoch milliseconds or ISO-8601) overrides the record's timestamp. Checks the key too. Every
 * check runs before anything is changed, in time linear in the record's size.
 */
public final class ObservationParser {

    /** 9999-12-31T23:59:59.999Z: the last instant with a four-digit year. */
    public static final long MAX_TIMESTAMP = 253_402_300_799_999L;
    /** Keys are series ids and Prometheus label values: long ones are mistakes. */
    public static final int DEFAULT_MAX_KEY_BYTES = 256;
    /**
     * Values up to this magnitude keep every error, squared error and sum the service computes
     * finite ((2 × 1e150)² × 512 &lt; 1.8e308).
     */
    public static final double DEFAULT_MAX_ABS_VALUE = 1e150;

    private final int nFeatures;
    private final int maxBytes;
    private final int maxKeyBytes;
    private final double maxAbsValue;

    public ObservationParser(int nFeatures, int maxBytes) {
        this(nFeatures, maxBytes, DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_ABS_VALUE);
    }

    public ObservationParser(int nFeatures, int maxBytes, int maxKeyBytes, double maxAbsValue) {
        if (nFeatures < 1 || maxBytes < 1 || maxKeyBytes < 1 || !(maxAbsValue > 0) || maxAbsValue > DEFAULT_MAX_ABS_VALUE) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures + ", maxBytes = " + maxBytes
                    + ", maxKeyBytes = " + maxKeyBytes + " or maxAbsValue = " + maxAbsValue);
        }
        this.nFeatures = nFeatures;
        this.maxBytes = maxBytes;
        this.maxKeyBytes = maxKeyBytes;
        this.maxAbsValue = maxAbsValue;
    }

    public Observation parse(byte[] key, byte[] value, long recordTimestamp) throws InvalidObservationException {
        String id = key(key);
        if (value == null || value.length == 0) {
            throw new InvalidObservationException(RejectReason.EMPTY_VALUE, "record has no value");
        }
        if (value.length > maxBytes) {
            throw new InvalidObservationException(RejectReason.TOO_LARGE,
                    "value of " + value.length + " bytes exceeds forecaster.input.max-bytes = " + maxBytes);
        }
        String text = new String(value, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new InvalidObservationException(RejectReason.EMPTY_VALUE, "value is blank");
        }
        if (text.charAt(0) == '{') {
            return parseJson(id, text, recordTimestamp);
        }
        return new Observation(id, dimension(new double[] {number(text)}), timestamp(recordTimestamp));
    }

    /**
     * The series id: strictly decoded, as replacement characters would merge distinct keys into one
     * series; never empty (it could not be queried), bounded (it becomes a label value), and free of
     * control characters (which also keeps producers away from internal keys, which start with NUL).
     */
    private String key(byte[] key) throws InvalidObservationException {
        if (key == null) {
            throw new InvalidObservationException(RejectReason.NULL_KEY, "record has no key (the series id)");
        }
        if (key.length == 0) {
            throw new InvalidObservationException(RejectReason.INVALID_KEY, "key is empty");
        }
        if (key.length > maxKeyBytes) {
            throw new InvalidObservationException(RejectReason.INVALID_KEY,
                    "key of " + key.length + " bytes exceeds forecaster.input.max-key-bytes = " + maxKeyBytes);
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidObservationException(RejectReason.INVALID_KEY, "key is not valid UTF-8");
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new InvalidObservationException(RejectReason.INVALID_KEY,
                        String.format("key contains the control character U+%04X at index %d", (int) id.charAt(i), i));
            }
        }
        return id;
    }

    private Observation parseJson(String key, String text, long recordTimestamp) throws InvalidObservationException {
        JsonFields.Fields fields;
        try {
            fields = JsonFields.read(text);
        } catch (JsonProcessingException e) {
            throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "malformed JSON: " + abbreviate(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "malformed JSON: " + abbreviate(e.getMessage()));
        }
        double[] values;
        if (fields.values() != null) {
            JsonNode array = fields.values();
            if (!array.isArray()) {
                throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "\"values\" is not an array");
            }
            if (array.size() != nFeatures) {
                throw wrongDimension(array.size());
            }
            values = new double[array.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = jsonNumber(array.get(i), "values[" + i + "]");
            }
        } else if (fields.value() != null) {
            values = new double[] {jsonNumber(fields.value(), "value")};
        } else {
            throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "JSON object has no \"value\" or \"values\" field");
        }
        long timestamp = fields.timestamp() != null ? timestamp(fields.timestamp()) : timestamp(recordTimestamp);
        return new Observation(key, dimension(values), timestamp);
    }

    private double[] dimension(double[] values) throws InvalidObservationException {
        if (values.length != nFeatures) {
            throw wrongDimension(values.length);
        }
        return values;
    }

    private InvalidObservationException wrongDimension(int n) {
        return new InvalidObservationException(RejectReason.WRONG_DIMENSION, n + " value(s), forecaster.model.n-features = " + nFeatures);
    }

    private double jsonNumber(JsonNode node, String field) throws InvalidObservationException {
        if (node.isNumber()) {
            return bounded(node.asDouble(), field);
        }
        if (node.isTextual()) {
            return number(node.asText().strip());
        }
        throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "\"" + field + "\" is not a number: " + describe(node));
    }

    private double number(String text) throws InvalidObservationException {
        if (isDecimal(text)) {
            return bounded(Double.parseDouble(text), text);
        }
        if (text.length() <= "+infinity".length()) {
            String lower = text.toLowerCase(java.util.Locale.ROOT).replace("+", "");
            if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity") || lower.equals("-inf") || lower.equals("-infinity")) {
                throw new InvalidObservationException(RejectReason.NON_FINITE, "value is not finite: " + text);
            }
        }
        throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "not a number: " + abbreviate(text));
    }

    /**
     * Whether {@code s} is {@code [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?} with ASCII digits: one
     * pass over the text. (The regular expression this replaces backtracked: quadratic in the length.)
     */
    static boolean isDecimal(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int start = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        int digits = i - start;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int fraction = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            digits += i - fraction;
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == exponent) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private double bounded(double v, String what) throws InvalidObservationException {
        if (!Double.isFinite(v)) {
            throw new InvalidObservationException(RejectReason.NON_FINITE, "value is not finite: " + abbreviate(what));
        }
        if (Math.abs(v) > maxAbsValue) {
            throw new InvalidObservationException(RejectReason.OUT_OF_RANGE,
                    "value " + v + " is beyond ±forecaster.input.max-abs-value = " + maxAbsValue);
        }
        return v;
    }

    private static long timestamp(long epochMillis) throws InvalidObservationException {
        if (epochMillis < 0 || epochMillis > MAX_TIMESTAMP) {
            throw new InvalidObservationException(RejectReason.INVALID_TIMESTAMP,
                    "timestamp " + epochMillis + " is outside 1970-01-01 to 9999-12-31 (epoch milliseconds 0 to " + MAX_TIMESTAMP + ")");
        }
        return epochMillis;
    }

    private static long timestamp(JsonNode node) throws InvalidObservationException {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new InvalidObservationException(RejectReason.INVALID_TIMESTAMP,
                        "\"timestamp\" does not fit epoch milliseconds: " + describe(node));
            }
            return timestamp(node.asLong());
        }
        if (node.isTextual()) {
            String s = node.asText().strip();
            Long millis = iso(s);
            if (millis != null) {
                return timestamp(millis);
            }
        }
        throw new InvalidObservationException(RejectReason.INVALID_TIMESTAMP,
                "\"timestamp\" is neither epoch milliseconds nor ISO-8601: " + describe(node));
    }

    /** ISO-8601 with an offset, as epoch milliseconds; null when it is not one or is beyond what a long holds. */
    private static Long iso(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeException | ArithmeticException e2) {
                return null;
            }
        }
    }

    /**
     * A JSON value for an error message: a container by its kind (its content was skipped, see
     * {@link JsonFields}), a scalar by its abbreviated JSON text.
     */
    static String describe(JsonNode node) {
        if (node.isContainerNode()) {
            return node.isArray() ? "an array" : "an object";
        }
        return abbreviate(node.toString()); // a scalar's JSON text: quoted and escaped, short
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
