package io.streamforecaster.state;

/** What produced a forecast. */
public enum Source {
    NONE, NAIVE, LSTM;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
