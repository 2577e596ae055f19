package dev.airlock.planner.service;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.planner.fleet.FleetRefusal;
import dev.airlock.planner.intake.IntakeException;

/**
 * A request the planner refuses, with the HTTP status, a reason code (an admission {@code ReasonCode} or a planner
 * code) and, for intake documents, the JSON pointer of the problem. Rendered by {@code ApiExceptionMapper}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;
    private final String detail;
    private final String pointer;

    public ApiException(int status, String reason, String detail, String pointer) {
        super(reason + ": " + detail, null, false, false);
        this.status = status;
        this.reason = reason;
        this.detail = detail;
        this.pointer = pointer;
    }

    public static ApiException of(IntakeException e) {
        return new ApiException(e.reason() == ReasonCode.TOO_LARGE ? 413 : 400, e.reason().name(), e.detail(),
                e.pointer());
    }

    /** MALFORMED is the caller's syntax (400); every other reason is a well-formed request the policy refuses. */
    public static ApiException of(VerificationException e) {
        int status = e.reason() == ReasonCode.MALFORMED ? 400 : e.reason() == ReasonCode.TOO_LARGE ? 413 : 422;
        return new ApiException(status, e.reason().name(), e.detail(), null);
    }

    public static ApiException of(FleetRefusal e) {
        return new ApiException(422, e.code(), e.detail(), null);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "NOT_FOUND", what, null);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    public String pointer() {
        return pointer;
    }
}
