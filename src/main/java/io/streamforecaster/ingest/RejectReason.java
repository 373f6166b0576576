package io.streamforecaster.ingest;

/** Why a record went to the dead-letter topic; the header value is {@link #id()}. */
public enum RejectReason {
    NULL_KEY("null-key"),
    EMPTY_VALUE("empty-value"),
    NOT_A_NUMBER("not-a-number"),
    NON_FINITE("non-finite"),
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
