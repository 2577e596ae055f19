package dev.airlock.diode.wire;

/** A datagram that is not a valid v1 frame; {@link #reason()} is the drop counter's name. */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    public FrameException(String reason) {
        super(reason, null, false, false);
    }

    public String reason() {
        return getMessage();
    }
}
