package dev.airlock.approval.service;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What became of one proposal: queued (pending or parked), a duplicate, or refused with its reason. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProposalOutcome(String outcome, String reason, String detail, String capsuleId, String status) {
    public static final String QUEUED = "queued";
    public static final String DUPLICATE = "duplicate";
    public static final String REFUSED = "refused";

    public boolean refused() {
        return REFUSED.equals(outcome);
    }
}
