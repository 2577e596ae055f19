package dev.airlock.planner.fleet;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.Objects;

/**
 * Why a fleet produced no capsule. {@code code} is an admission {@link ReasonCode} name when the gateway would refuse
 * the capsule for the same reason ({@code SCOPE_VIOLATION}, {@code COMMAND_NOT_ALLOWED}, ...), else one of the planner's
 * own codes ({@code NO_FIX_AVAILABLE}, {@code NO_REPOSITORY}, {@code NOT_DECLARED}, {@code ALREADY_FIXED},
 * {@code UNSUPPORTED_ECOSYSTEM}, {@code NO_POLICY}, {@code NO_VALIDATION}).
 */
public final class FleetRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String detail;

    public FleetRefusal(String code, String detail) {
        super(code + ": " + detail, null, false, false);
        this.code = Objects.requireNonNull(code);
        this.detail = Objects.requireNonNull(detail);
    }

    public static FleetRefusal of(VerificationException e) {
        return new FleetRefusal(e.reason().name(), e.detail());
    }

    public static FleetRefusal of(ReasonCode reason, String detail) {
        return new FleetRefusal(reason.name(), detail);
    }

    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }
}
