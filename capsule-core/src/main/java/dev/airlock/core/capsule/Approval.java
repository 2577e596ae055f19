package dev.airlock.core.capsule;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.json.Checks;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** One signed decision (ARCHITECTURE §3.3), payload of {@code application/vnd.airlock.approval.v1+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Approval(String schema, String capsuleDigest, String capsuleId, String approver, String role,
                       String decision, String ticket, Instant decidedAt, String basis) {
    public static final String SCHEMA = "airlock.approval/v1";
    public static final String APPROVE = "approve";
    public static final String REJECT = "reject";
    public static final String REVIEW = "review";
    public static final String POLICY_AUTO = "policy-auto";

    public Approval {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        if (!Hex.isDigest(capsuleDigest)) {
            throw new IllegalArgumentException("capsuleDigest must be sha256:<64 lowercase hex>");
        }
        Checks.ident(capsuleId, "capsuleId");
        Checks.ident(approver, "approver");
        Checks.ident(role, "role");
        Checks.oneOf(decision, "decision", Set.of(APPROVE, REJECT));
        if (ticket != null) {
            Checks.required(ticket, "ticket");
            if (ticket.length() > 128) {
                throw new IllegalArgumentException("ticket is longer than 128 characters");
            }
        }
        Objects.requireNonNull(decidedAt, "decidedAt is required");
        Checks.oneOf(basis, "basis", Set.of(REVIEW, POLICY_AUTO));
    }

    public boolean approves() {
        return APPROVE.equals(decision);
    }

    public boolean auto() {
        return POLICY_AUTO.equals(basis);
    }
}
