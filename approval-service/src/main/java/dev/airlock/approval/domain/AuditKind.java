package dev.airlock.approval.domain;

/** What an audit row records. Every arrival and every state change has one; rows are never updated or deleted. */
public enum AuditKind {
    POLICY_INSTALLED,
    POLICY_REFUSED,
    PROPOSAL_QUEUED,
    PROPOSAL_PARKED,
    PROPOSAL_DUPLICATE,
    PROPOSAL_REFUSED,
    DECISION_ACCEPTED,
    DECISION_DUPLICATE,
    DECISION_REFUSED,
    AUTO_APPROVAL_SKIPPED,
    CAPSULE_AUTHORIZED,
    CAPSULE_REJECTED,
    SIGNED_CAPSULE_EMITTED
}
