package io.streamforecaster.stream;

/** The one place that names state stores and processor nodes. */
public final class Stores {

    /** Per key: history ring buffer, latest forecast, online accuracy ({@code SeriesState}). */
    public static final String SERIES = "forecaster-series";
    /** Per key: the current model in our binary format. */
    public static final String MODELS = "forecaster-models";

    /**
     * With {@code forecaster.model.scope=shared}, the model store's entry holding a partition's
     * shared model. It starts with NUL, which series ids do not.
     */
    public static final String SHARED_MODEL_KEY = "\u0000shared";

    static final String SOURCE_NODE = "observations";
    static final String PROCESSOR_NODE = "forecast";
    static final String OUTPUT_NODE = "predictions";
    static final String DEAD_LETTER_NODE = "dead-letter";
    static final String ANOMALIES_NODE = "anomalies";

    private Stores() {
    }
}
