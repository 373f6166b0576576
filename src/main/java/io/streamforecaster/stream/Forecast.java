package io.streamforecaster.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.state.LatestForecast;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.serving.OnlineForecaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;

/**
 * The contract's forecast record: the predicted next value of {@code key}, in the series' units.
 *
 * @param timestamp timestamp of the newest observation the forecast used (epoch ms)
 * @param source {@code lstm}, or {@code naive} (last value) while the key has no usable model
 * @param modelVersion version of the model used, 0 for a naive forecast without a model
 * @param forecastVector every feature's forecast when n-features &gt; 1, else absent
 * @param lower lower end of the prediction interval of {@code forecast} (configured coverage), absent
 *              while the key has too few scored forecasts
 * @param upper its upper end
 * @param fallback true when the key serves naive because its model did worse than naive recently, else absent
 * @param damped true when the key serves its model's forecast change halved, because that did best recently, else absent
 * @param horizon steps 1..H when {@code forecaster.forecast.horizon} H &gt; 1 (first feature), else absent; each
 *                step's interval is scaled by that step's own recent errors (by √step until it has enough)
 * @param anomalyScore the anomaly score, in [0, 1], of the observation this forecast followed (absent only
 *                     in a state read from a build before anomalies, until its next observation)
 * @param anomaly true when that score reached {@code forecaster.anomaly.threshold}, else absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Forecast(String key, long timestamp, double forecast, String source, String variant,
                       long modelVersion, int nSteps, double[] forecastVector, Double lower, Double upper,
                       Boolean fallback, Boolean damped, Step[] horizon, Double anomalyScore, Boolean anomaly) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step of a multi-step forecast, with its interval (widening with the step). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, double forecast, Double lower, Double upper) {
    }

    /** Without an anomaly score. */
    public Forecast(String key, long timestamp, double forecast, String source, String variant, long modelVersion, int nSteps,
                    double[] forecastVector, Double lower, Double upper, Boolean fallback, Boolean damped, Step[] horizon) {
        this(key, timestamp, forecast, source, variant, modelVersion, nSteps, forecastVector, lower, upper, fallback, damped, horizon,
                null, null);
    }

    /** The latest forecast a key's state holds, or null. */
    public static Forecast of(String key, SeriesState state, String variant, int nSteps) {
        LatestForecast latest = state.latest();
        double[] values = latest.values();
        if (values == null) {
            return null;
        }
        double half = latest.halfWidth();
        boolean interval = Double.isFinite(half);
        Step[] steps = null;
        double[] h = latest.horizon();
        double[] widths = latest.stepHalfWidths();
        if (h != null) {
            steps = new Step[h.length];
            for (int i = 0; i < h.length; i++) {
                double w = widths != null && widths.length == h.length ? widths[i] : OnlineForecaster.widen(half, i + 1);
                steps[i] = new Step(i + 1, h[i], interval ? h[i] - w : null, interval ? h[i] + w : null);
            }
        }
        var judgement = state.judgement();
        var anomalies = state.anomalies();
        return new Forecast(key, state.history().lastTimestamp(), values[0], latest.source().id(), variant,
                latest.modelVersion(), nSteps, values.length > 1 ? values : null,
                interval ? values[0] - half : null, interval ? values[0] + half : null,
                judgement.fallback() && latest.source() == Source.NAIVE ? Boolean.TRUE : null,
                judgement.damped() && latest.source() == Source.LSTM ? Boolean.TRUE : null, steps,
                Double.isFinite(anomalies.lastScore()) ? anomalies.lastScore() : null, anomalies.lastAnomaly() ? Boolean.TRUE : null);
    }

    /** The record as JSON, written by hand: it is made for every event, and this is several times cheaper than a mapper. */
    public byte[] toJson() {
        StringBuilder s = new StringBuilder(160).append("{\"key\":");
        quote(s, key);
        s.append(",\"timestamp\":").append(timestamp)
                .append(",\"forecast\":").append(number(forecast))
                .append(",\"source\":\"").append(source)
                .append("\",\"variant\":\"").append(variant)
                .append("\",\"modelVersion\":").append(modelVersion)
                .append(",\"nSteps\":").append(nSteps);
        if (forecastVector != null) {
            s.append(",\"forecastVector\":[");
            for (int i = 0; i < forecastVector.length; i++) {
                s.append(i == 0 ? "" : ",").append(number(forecastVector[i]));
            }
            s.append(']');
        }
        if (lower != null) {
            s.append(",\"lower\":").append(number(lower)).append(",\"upper\":").append(number(upper));
        }
        if (fallback != null) {
            s.append(",\"fallback\":").append(fallback.booleanValue());
        }
        if (damped != null) {
            s.append(",\"damped\":").append(damped.booleanValue());
        }
        if (horizon != null) {
            s.append(",\"horizon\":[");
            for (int i = 0; i < horizon.length; i++) {
                Step st = horizon[i];
                s.append(i == 0 ? "{" : ",{").append("\"step\":").append(st.step()).append(",\"forecast\":").append(number(st.forecast()));
                if (st.lower() != null) {
                    s.append(",\"lower\":").append(number(st.lower())).append(",\"upper\":").append(number(st.upper()));
                }
                s.append('}');
            }
            s.append(']');
        }
        if (anomalyScore != null) {
            s.append(",\"anomalyScore\":").append(number(anomalyScore));
        }
        if (anomaly != null) {
            s.append(",\"anomaly\":").append(anomaly.booleanValue());
        }
        return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The shortest decimal that reads back as {@code v} (Schubfach, as Java 19+ prints doubles; Java
     * 17's {@code Double.toString} is about twice as slow and in rare cases a digit longer); null
     * for a value that is not finite (an interval's bound beside a forecast near the largest double),
     * which JSON has no number for.
     */
    static String number(double v) {
        return Double.isFinite(v) ? NumberOutput.toString(v, true) : "null";
    }

    private static void quote(StringBuilder s, String text) {
        s.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    public static Forecast fromJson(byte[] bytes) {
        try {
            return JSON.readValue(bytes, Forecast.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
