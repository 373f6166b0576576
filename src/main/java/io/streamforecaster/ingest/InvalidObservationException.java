package io.streamforecaster.ingest;

/** A record that is not an observation; carries the dead-letter reason. Expected, so no stack trace. */
public class InvalidObservationException extends Exception {

    private final RejectReason reason;

    public InvalidObservationException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
