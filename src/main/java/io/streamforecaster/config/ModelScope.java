package io.streamforecaster.config;

import java.util.Locale;

/** Which keys a model serves. */
public enum ModelScope {
    /** One model per key, trained on that key's history. */
    PER_KEY,
    /** One model per input partition, trained on the windows of its keys: a new key gets LSTM forecasts at once. */
    SHARED;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
