package dev.airlock.core.verify;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * The admitted-capsule ledger (ARCHITECTURE §3.2 replay rule, §5 {@code REPLAY}): which capsule ids were admitted and the
 * highest admitted sequence of each lineage. The engine only reads it; the caller records an admission after deciding,
 * in the same transaction as the verdict where it has one (the gateway's PostgreSQL implementation).
 */
public interface AdmissionLedger {
    boolean isAdmitted(String capsuleId);

    OptionalLong lastSequence(String lineage);

    /** Records an admission. Must be durable (or part of the caller's transaction) when it returns. */
    void record(Entry entry);

    record Entry(String capsuleId, String lineage, long sequence, String capsuleDigest, long policyVersion,
                 Instant admittedAt) {
    }
}
