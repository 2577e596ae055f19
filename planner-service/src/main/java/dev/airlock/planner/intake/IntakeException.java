package dev.airlock.planner.intake;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.Objects;

/**
 * An intake document that cannot be taken in (ARCHITECTURE §1 invariant 6: a clear, named reason and nothing changed).
 * {@code pointer} is the RFC 6901 JSON pointer of the offending value inside the submitted document ({@code ""} for the
 * document as a whole), so a scanner author can find the problem without reading our source.
 */
public final class IntakeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reason;
    private final String pointer;
    private final String detail;

    public IntakeException(ReasonCode reason, String pointer, String detail) {
        super(reason + " at " + (pointer.isEmpty() ? "/" : pointer) + ": " + detail, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.pointer = Objects.requireNonNull(pointer, "pointer");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public static IntakeException malformed(String pointer, String detail) {
        return new IntakeException(ReasonCode.MALFORMED, pointer, detail);
    }

    public ReasonCode reason() {
        return reason;
    }

    public String pointer() {
        return pointer;
    }

    public String detail() {
        return detail;
    }

    /** The same failure as the typed exception of the trust code (for dead-letter headers). */
    public VerificationException toVerificationException() {
        return new VerificationException(reason, "at " + (pointer.isEmpty() ? "/" : pointer) + ": " + detail);
    }
}
