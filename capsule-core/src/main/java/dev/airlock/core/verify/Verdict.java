package dev.airlock.core.verify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;

import java.util.List;
import java.util.Objects;

/**
 * The engine's answer for one signed capsule. {@code verdict}/{@code reason}/{@code detail} are the CLI contract
 * (ARCHITECTURE §6); the rest is what the gateway and the evidence need. For a rejection the capsule fields are filled
 * as far as they were established (a capsule id is only known once the proposer's signature verified).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"verdict", "reason", "detail", "capsuleId", "capsuleDigest", "environment", "tier",
        "policyVersion", "effectiveMode", "approvers"})
public record Verdict(String verdict, ReasonCode reason, String detail, String capsuleId, String capsuleDigest,
                      String environment, String tier, Long policyVersion, String effectiveMode,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ApproverRef> approvers, @JsonIgnore Capsule capsule, @JsonIgnore Envelope capsuleEnvelope,
                      @JsonIgnore String lineage, @JsonIgnore Long sequence) {
    public static final String ADMITTED = "admitted";
    public static final String REJECTED = "rejected";

    public Verdict {
        Objects.requireNonNull(verdict);
        Objects.requireNonNull(detail);
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        if (ADMITTED.equals(verdict) && (reason != null || capsule == null)) {
            throw new IllegalArgumentException("an admission has no reason and carries the capsule");
        }
        if (REJECTED.equals(verdict) && reason == null) {
            throw new IllegalArgumentException("a rejection carries a reason");
        }
    }

    /** An approver that counted towards the admission (or, on rejection, whose approval verified). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApproverRef(String approver, String role, String basis, String keyid, String ticket) {
    }

    @JsonIgnore
    public boolean isAdmitted() {
        return ADMITTED.equals(verdict);
    }

    /** One JSON object, as printed by {@code airlock capsule verify}. */
    public String toJson() {
        return new String(StrictJson.write(this), java.nio.charset.StandardCharsets.UTF_8);
    }
}
