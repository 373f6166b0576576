package io.streamforecaster.stream;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.model.ModelFormat;

/**
 * Checks at startup that the largest records the settings let the service write fit one Kafka
 * produce request: a key's state, its model and its forecast. A changelog write the broker refuses
 * is never skipped (the state would then live only on this instance's disk and be lost on
 * restore), so a setting that could make one too large is refused up front instead.
 */
public final class RecordSizes {

    /** Kafka's default {@code max.request.size}, and about the broker's default {@code message.max.bytes}. */
    public static final int KAFKA_DEFAULT_MAX_REQUEST = 1_048_576;
    /** What a record needs beside its key and value: batch and record headers, dead-letter headers. */
    static final int OVERHEAD = 1024;
    /** A forecast record's bytes per horizon step, at most ({"step":N,"forecast":x,"lower":x,"upper":x} with 24-character numbers). */
    static final int FORECAST_BYTES_PER_STEP = 110;
    static final int FORECAST_BYTES = 512;

    private RecordSizes() {
    }

    /** The stream's producers' {@code max.request.size}: {@code kafka-streams.producer.max.request.size}, else {@code kafka-streams.max.request.size}, else Kafka's default. */
    public static long maxRequestSize(org.eclipse.microprofile.config.Config c) {
        return c.getOptionalValue("kafka-streams.producer.max.request.size", Long.class)
                .or(() -> c.getOptionalValue("kafka-streams.max.request.size", Long.class))
                .orElse((long) KAFKA_DEFAULT_MAX_REQUEST);
    }

    /** The largest state record of a key with these settings. */
    public static long maxStateBytes(StreamSettings s) {
        return SeriesState.maxEncodedBytes(s.nFeatures(), s.historySize(), s.serving().intervalWindow(), s.serving().horizon(),
                s.serving().servedPoints());
    }

    public static long modelBytes(StreamSettings s) {
        return ModelFormat.encodedBytes(s.training().variant(), s.nFeatures(), s.training().units());
    }

    public static long maxForecastBytes(StreamSettings s) {
        return FORECAST_BYTES + 26L * s.nFeatures() + (long) FORECAST_BYTES_PER_STEP * s.serving().horizon();
    }

    /**
     * @param maxRequestSize the producer's {@code max.request.size}
     * @throws IllegalArgumentException naming the settings, when a record could be too large
     */
    public static void check(StreamSettings s, long maxRequestSize) {
        long key = s.input().maxKeyBytes();
        long state = maxStateBytes(s) + key + OVERHEAD;
        if (state > maxRequestSize) {
            throw new IllegalArgumentException("A key's state record could reach " + state + " bytes with forecaster.history.size = "
                    + s.historySize() + ", forecaster.history.served-points = " + s.serving().servedPoints()
                    + ", forecaster.model.n-features = " + s.nFeatures() + ", forecaster.interval.window = "
                    + s.serving().intervalWindow() + ", forecaster.input.max-key-bytes = " + key
                    + " and forecaster.forecast.horizon = " + s.serving().horizon()
                    + " (its per-step statistics grow with the square of the horizon), more than the producer's max.request.size = "
                    + maxRequestSize + " (kafka-streams.producer.max.request.size). Lower those settings, or raise max.request.size"
                    + " together with the broker's message.max.bytes.");
        }
        long model = modelBytes(s) + key + OVERHEAD;
        if (model > maxRequestSize) {
            throw new IllegalArgumentException("A model record would be " + model + " bytes with forecaster.model.variant = "
                    + s.training().variant().id() + ", forecaster.model.units = " + s.training().units() + " and n-features = "
                    + s.nFeatures() + ", more than the producer's max.request.size = " + maxRequestSize
                    + " (kafka-streams.producer.max.request.size). Use fewer units, or raise max.request.size together with the"
                    + " broker's message.max.bytes.");
        }
        long forecast = maxForecastBytes(s) + key + OVERHEAD;
        if (forecast > maxRequestSize) {
            throw new IllegalArgumentException("A forecast record could reach " + forecast + " bytes with forecaster.forecast.horizon = "
                    + s.serving().horizon() + ", more than the producer's max.request.size = " + maxRequestSize);
        }
    }
}
