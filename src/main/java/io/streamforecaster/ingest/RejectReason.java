package io.streamforecaster.ingest;

/** Why a record went to the dead-letter topic; the header value is {@link #id()}. */
public enum RejectReason {
    NULL_KEY("null-key"),
    /** An empty key, one that is not valid UTF-8, longer than {@code forecaster.input.max-key-bytes}, or with control characters. */
    INVALID_KEY("invalid-key"),
    EMPTY_VALUE("empty-value"),
    NOT_A_NUMBER("not-a-number"),
    NON_FINITE("non-finite"),
    /** A finite value beyond {@code ±forecaster.input.max-abs-value}, where squared errors would no longer be finite. */
    OUT_OF_RANGE("out-of-range"),
    WRONG_DIMENSION("wrong-dimension"),
    TOO_LARGE("too-large"),
    INVALID_TIMESTAMP("invalid-timestamp"),
    PROCESSING_ERROR("processing-error");

    private final String id;

    RejectReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
