package io.streamforecaster.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.anomaly.Anomaly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The contract's anomaly record (topic {@code forecaster.topics.anomalies}, and each entry of
 * {@code GET /series/{key}/anomalies}): one observation whose anomaly score reached
 * {@code forecaster.anomaly.threshold}.
 *
 * @param timestamp the observation's timestamp (epoch ms)
 * @param actual its value (first feature)
 * @param expected the forecast that was served for it; absent when the key served none
 * @param lower that forecast's prediction interval; absent when it had none, or when this end
 *              is beyond the largest double
 * @param upper its upper end, likewise
 * @param score the anomaly score, in [0, 1]
 * @param cause what scored it: {@code forecast} (the forecast's error, or its recent average, passed the
 *              key's largest lately), {@code range} (the value left the key's range), {@code level} or
 *              {@code volatility} (the key's recent average or average change left theirs)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnomalyRecord(String key, long timestamp, double actual, Double expected, Double lower, Double upper, double score,
                            String cause) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static AnomalyRecord of(String key, Anomaly a) {
        boolean expected = Double.isFinite(a.expected());
        return new AnomalyRecord(key, a.timestamp(), a.actual(), expected ? a.expected() : null,
                a.hasInterval() ? finiteOrNull(a.expected() - a.halfWidth()) : null,
                a.hasInterval() ? finiteOrNull(a.expected() + a.halfWidth()) : null,
                a.score(), a.cause().name().toLowerCase(Locale.ROOT));
    }

    /** A bound past the largest double is absent, as the forecast record has it: JSON has no infinity. */
    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** As JSON; anomalies are rare, so a mapper's cost does not matter here. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AnomalyRecord fromJson(byte[] bytes) {
        try {
            return JSON.readValue(bytes, AnomalyRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
