package dev.airlock.core.verify;

/**
 * Admission reason codes (ARCHITECTURE §5). The declaration order is the order in which the engine checks; the first
 * failure is the verdict. These names are a contract: GRC tools and auditors' scripts match on them.
 */
public enum ReasonCode {
    TOO_LARGE,
    MALFORMED,
    POLICY_INVALID,
    POLICY_EXPIRED,
    POLICY_ROLLBACK,
    UNKNOWN_KEY,
    SIGNATURE_INVALID,
    ROLE_MISSING,
    ENVIRONMENT_MISMATCH,
    CAPSULE_EXPIRED,
    POLICY_VERSION_MISMATCH,
    REPLAY,
    SCOPE_VIOLATION,
    COMMAND_NOT_ALLOWED,
    TIER_NOT_AUTHORIZABLE,
    DIGEST_MISMATCH,
    SELF_APPROVAL,
    REJECTED_BY_APPROVER,
    AUTO_NOT_PERMITTED,
    TICKET_REQUIRED,
    THRESHOLD_NOT_MET,
    /**
     * Runner-side only (ARCHITECTURE §7 step 1): the workspace no longer matches the manifest's {@code before} hashes.
     * Never an admission verdict; it appears in evidence bundles with outcome {@code REJECTED}.
     */
    DRIFT
}
