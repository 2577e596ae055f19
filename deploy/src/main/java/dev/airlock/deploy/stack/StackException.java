package dev.airlock.deploy.stack;

/** A failure of a stack command with a message that says what happened and what to do; no stack trace needed. */
public final class StackException extends Exception {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
