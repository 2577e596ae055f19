package dev.airlock.evidence.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.core.crypto.Hex;
import dev.airlock.evidence.repository.EvidenceLeaf;

import java.time.Instant;
import java.util.Base64;

/**
 * One log entry as the API shows it. {@code entry} is the exact bytes appended (base64, so nothing re-serialises
 * them: {@code SHA-256(0x00 ‖ entry)} is the leaf hash), null once retention purged it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BundleView(long logIndex, String leafHash, String kind, String capsuleId, String environment,
                         String outcome, String reason, String tier, String signer, Long policyVersion,
                         Instant startedAt, Instant finishedAt, Instant receivedAt, Instant purgedAt, String egress,
                         Instant projectedAt, String entry) {
    static BundleView of(EvidenceLeaf l, boolean withEntry) {
        return new BundleView(l.leafIndex, Hex.encode(l.leafHash), l.entryKind, l.capsuleId, l.environment, l.outcome,
                l.reason, l.tier, l.signer, l.policyVersion, l.startedAt, l.finishedAt, l.receivedAt, l.purgedAt,
                l.egressMode, l.projectedAt, withEntry && l.entry != null ? Base64.getEncoder().encodeToString(l.entry) : null);
    }
}
