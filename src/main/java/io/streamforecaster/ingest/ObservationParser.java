package io.streamforecaster.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Reads the contract's observation formats: a plain number, {@code {"value": x}}, or
 * {@code {"values": [..]}} with exactly n-features entries; an optional {@code "timestamp"}
 * (epoch milliseconds or ISO-8601) overrides the record's timestamp.
 */
public final class ObservationParser {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int nFeatures;
    private final int maxBytes;

    public ObservationParser(int nFeatures, int maxBytes) {
        if (nFeatures < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("Invalid nFeatures = " + nFeatures + " or maxBytes = " + maxBytes);
        }
        this.nFeatures = nFeatures;
        this.maxBytes = maxBytes;
    }

    public Observation parse(byte[] key, byte[] value, long recordTimestamp) throws InvalidObservationException {
        if (key == null) {
            throw new InvalidObservationException(RejectReason.NULL_KEY, "record has no key (the series id)");
        }
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
            return parseJson(text, recordTimestamp);
        }
        return new Observation(dimension(new double[] {number(text)}), recordTimestamp);
    }

    private Observation parseJson(String text, long recordTimestamp) throws InvalidObservationException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "malformed JSON: " + e.getOriginalMessage());
        }
        double[] values;
        if (node.has("values")) {
            JsonNode array = node.get("values");
            if (!array.isArray()) {
                throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "\"values\" is not an array");
            }
            values = new double[array.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = jsonNumber(array.get(i), "values[" + i + "]");
            }
        } else if (node.has("value")) {
            values = new double[] {jsonNumber(node.get("value"), "value")};
        } else {
            throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "JSON object has no \"value\" or \"values\" field");
        }
        long timestamp = node.has("timestamp") ? timestamp(node.get("timestamp")) : recordTimestamp;
        return new Observation(dimension(values), timestamp);
    }

    private double[] dimension(double[] values) throws InvalidObservationException {
        if (values.length != nFeatures) {
            throw new InvalidObservationException(RejectReason.WRONG_DIMENSION,
                    values.length + " value(s), forecaster.model.n-features = " + nFeatures);
        }
        return values;
    }

    private static double jsonNumber(JsonNode node, String field) throws InvalidObservationException {
        if (node.isNumber()) {
            return finite(node.asDouble(), field);
        }
        if (node.isTextual()) {
            return number(node.asText().strip());
        }
        throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "\"" + field + "\" is not a number: " + node);
    }

    private static double number(String text) throws InvalidObservationException {
        if (DECIMAL.matcher(text).matches()) {
            return finite(Double.parseDouble(text), text);
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT).replace("+", "");
        if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity") || lower.equals("-inf") || lower.equals("-infinity")) {
            throw new InvalidObservationException(RejectReason.NON_FINITE, "value is not finite: " + abbreviate(text));
        }
        throw new InvalidObservationException(RejectReason.NOT_A_NUMBER, "not a number: " + abbreviate(text));
    }

    private static double finite(double v, String what) throws InvalidObservationException {
        if (!Double.isFinite(v)) {
            throw new InvalidObservationException(RejectReason.NON_FINITE, "value is not finite: " + abbreviate(what));
        }
        return v;
    }

    private static long timestamp(JsonNode node) throws InvalidObservationException {
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            String s = node.asText().strip();
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(s).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    // fall through to the error below
                }
            }
        }
        throw new InvalidObservationException(RejectReason.INVALID_TIMESTAMP,
                "\"timestamp\" is neither epoch milliseconds nor ISO-8601: " + abbreviate(node.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
