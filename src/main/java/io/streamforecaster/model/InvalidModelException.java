package io.streamforecaster.model;

/** A stored model record that cannot be read back: corrupt, truncated, or of an unknown format. */
public class InvalidModelException extends IllegalArgumentException {

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
