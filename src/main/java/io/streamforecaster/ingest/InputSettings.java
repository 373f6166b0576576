package io.streamforecaster.ingest;

/**
 * What an input record may be.
 *
 * @param maxBytes longer values are rejected as {@code too-large}
 * @param maxKeyBytes longer keys are rejected as {@code invalid-key}
 * @param maxAbsValue values beyond ±this are rejected as {@code out-of-range}
 */
public record InputSettings(int maxBytes, int maxKeyBytes, double maxAbsValue) {

    /** Longest key the settings accept: keys become metric label values and are held in memory for every series. */
    public static final int MAX_KEY_BYTES = 4096;
    /** Longest value the settings accept: one observation is a few numbers. */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    public InputSettings {
        if (maxBytes < 1 || maxBytes > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("Invalid forecaster.input.max-bytes = " + maxBytes + ": must be 1 to " + MAX_VALUE_BYTES);
        }
        if (maxKeyBytes < 1 || maxKeyBytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("Invalid forecaster.input.max-key-bytes = " + maxKeyBytes + ": must be 1 to " + MAX_KEY_BYTES);
        }
        if (!(maxAbsValue > 0) || maxAbsValue > ObservationParser.DEFAULT_MAX_ABS_VALUE) {
            throw new IllegalArgumentException("Invalid forecaster.input.max-abs-value = " + maxAbsValue
                    + ": must be above 0 and at most " + ObservationParser.DEFAULT_MAX_ABS_VALUE);
        }
    }

    public static InputSettings defaults() {
        return new InputSettings(4096, ObservationParser.DEFAULT_MAX_KEY_BYTES, ObservationParser.DEFAULT_MAX_ABS_VALUE);
    }

    public ObservationParser parser(int nFeatures) {
        return new ObservationParser(nFeatures, maxBytes, maxKeyBytes, maxAbsValue);
    }
}
