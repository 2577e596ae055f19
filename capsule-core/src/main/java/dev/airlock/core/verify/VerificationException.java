package dev.airlock.core.verify;

import java.util.Objects;

/**
 * The one checked failure type of Airlock's trust code: a {@link ReasonCode} and a human-readable detail.
 * The detail never contains key material or secrets; it may name paths, principals, keyids and digests.
 */
public final class VerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reason;
    private final String detail;

    public VerificationException(ReasonCode reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public VerificationException(ReasonCode reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public ReasonCode reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }
}
