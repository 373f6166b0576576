package io.streamforecaster.model;

import java.util.Locale;

/** The three LSTM shapes of the seed notebook. */
public enum Variant {
    /** LSTM(units, relu) then Dense. */
    VANILLA,
    /** LSTM(units, relu, whole sequence) then LSTM(units, relu) then Dense. */
    STACKED,
    /** Forward LSTM's final output concatenated with a backward LSTM's final output, then Dense. */
    BIDIRECTIONAL;

    /** Number of LSTM layers whose weights a snapshot of this variant carries. */
    public int lstmLayers() {
        return this == VANILLA ? 1 : 2;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Variant parse(String text) {
        for (Variant v : values()) {
            if (v.id().equalsIgnoreCase(text.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("Unknown variant '" + text + "': expected vanilla, stacked or bidirectional");
    }
}
