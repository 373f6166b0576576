package io.streamforecaster.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.history.SeriesState;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The contract's forecast record: the predicted next value of {@code key}, in the series' units.
 *
 * @param timestamp timestamp of the newest observation the forecast used (epoch ms)
 * @param source {@code lstm}, or {@code naive} (last value) while the key has no usable model
 * @param modelVersion version of the model used, 0 for a naive forecast without a model
 * @param forecastVector every feature's forecast when n-features &gt; 1, else absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Forecast(String key, long timestamp, double forecast, String source, String variant,
                       long modelVersion, int nSteps, double[] forecastVector) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The latest forecast a key's state holds, or null. */
    public static Forecast of(String key, SeriesState state, String variant, int nSteps) {
        double[] values = state.forecast();
        if (values == null) {
            return null;
        }
        return new Forecast(key, state.lastTimestamp(), values[0], state.forecastSource().id(), variant,
                state.forecastModelVersion(), nSteps, values.length > 1 ? values : null);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Forecast fromJson(byte[] bytes) {
        try {
            return JSON.readValue(bytes, Forecast.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
