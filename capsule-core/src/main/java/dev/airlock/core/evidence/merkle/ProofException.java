package dev.airlock.core.evidence.merkle;

import java.util.Objects;

/** A refused or impossible Merkle proof: a {@link ProofError} and a human-readable detail. */
public final class ProofException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ProofError error;
    private final String detail;

    public ProofException(ProofError error, String detail) {
        super(error + ": " + detail, null, false, false);
        this.error = Objects.requireNonNull(error, "error");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public ProofError error() {
        return error;
    }

    public String detail() {
        return detail;
    }
}
