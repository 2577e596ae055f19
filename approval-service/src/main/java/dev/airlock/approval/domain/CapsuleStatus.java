package dev.airlock.approval.domain;

import java.util.Locale;

/**
 * Where a queued capsule stands. A proposal that fails verification never gets a status: it is refused and audited,
 * not queued.
 *
 * <pre>
 *   proposal ──verified, T1..T9──► PENDING ──policy satisfied──► AUTHORIZED ──broker ack──► EMITTED
 *      │                              │
 *      └──verified, tier "never"──► PARKED     └──eligible reject──► REJECTED
 * </pre>
 */
public enum CapsuleStatus {
    /** Waiting for approvals; shown to approvers whose roles the tier requires. */
    PENDING,
    /** Tier {@code never} (T0: unreachable): kept with its evidence, never sent to an approver (§8). */
    PARKED,
    /** An eligible approver rejected it; nothing more is accepted. */
    REJECTED,
    /** The policy is satisfied; the signed capsule sits in the outbox. */
    AUTHORIZED,
    /** The signed capsule is on {@code airlock.capsules.signed.v1} (broker acknowledged). */
    EMITTED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CapsuleStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
