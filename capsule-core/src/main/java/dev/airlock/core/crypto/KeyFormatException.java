package dev.airlock.core.crypto;

/** A key file or key encoding that Airlock refuses. The message names the problem, never key material. */
public final class KeyFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(message);
    }

    public KeyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
