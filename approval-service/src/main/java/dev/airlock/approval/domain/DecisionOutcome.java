package dev.airlock.approval.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The service's answer to one decision, as returned over HTTP and printed by {@code airlock capsule approve --post}.
 * {@code reason} is an ARCHITECTURE §5 code where the engine decided, else one of this service's own codes below.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"outcome", "reason", "detail", "capsuleId", "status", "approvals", "required"})
public record DecisionOutcome(String outcome, String reason, String detail, String capsuleId, String status,
                              Integer approvals, Integer required, @JsonIgnore int httpStatus) {
    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate";
    public static final String REFUSED = "refused";

    /** No capsule with this id is queued here. */
    public static final String UNKNOWN_CAPSULE = "UNKNOWN_CAPSULE";
    /** Over HTTP, an approval must name the authenticated user as its approver. */
    public static final String NOT_YOUR_APPROVAL = "NOT_YOUR_APPROVAL";
    /** The capsule is already authorized or parked; no decision changes it any more. */
    public static final String CAPSULE_CLOSED = "CAPSULE_CLOSED";

    public static DecisionOutcome refused(String reason, String detail, String capsuleId, String status, int http) {
        return new DecisionOutcome(REFUSED, reason, detail, capsuleId, status, null, null, http);
    }

    @JsonIgnore
    public boolean isRefused() {
        return REFUSED.equals(outcome);
    }
}
