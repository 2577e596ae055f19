package dev.airlock.gateway.service;

import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;

import java.time.Instant;
import java.util.List;

/**
 * Rejections at the gateway are evidence too (ARCHITECTURE §1 invariant 4, §3.5): an in-toto Statement with outcome
 * {@code REJECTED} in the same shape as a runner's bundle, signed by the gateway key.
 */
final class RejectionEvidence {
    private static final int ID_HEX = 16;

    private RejectionEvidence() {
    }

    /** The name an unparseable capsule goes by: {@code unknown-} and a prefix of the digest of the received bytes. */
    static String unknownId(String inboundDigest) {
        return "unknown-" + hex(inboundDigest).substring(0, ID_HEX);
    }

    /** The name a refused policy goes by: {@code policy-} and a prefix of its payload (or received bytes) digest. */
    static String policyId(String digest) {
        return "policy-" + hex(digest).substring(0, ID_HEX);
    }

    /**
     * A rejected capsule. Subject: the capsule payload digest, or the digest of the received bytes when the capsule
     * envelope could not even be parsed.
     */
    static Statement capsule(Verdict v, String inboundDigest, GatewayIdentity gateway, Instant decidedAt) {
        String id = v.capsuleId() != null ? v.capsuleId() : unknownId(inboundDigest);
        String subject = v.capsuleDigest() != null ? v.capsuleDigest() : inboundDigest;
        List<EvidencePredicate.Approver> approvers = v.approvers().stream()
                .map(a -> new EvidencePredicate.Approver(a.approver(), a.role(), a.keyid())).toList();
        EvidencePredicate p = new EvidencePredicate(id, gateway.environment(), v.tier(), v.lineage(),
                v.capsule() == null ? null : v.capsule().mode(),
                new EvidencePredicate.Component(gateway.id(), gateway.version()), "REJECTED",
                new EvidencePredicate.Admission(Verdict.REJECTED, v.reason().name(), v.policyVersion(), approvers),
                null, null, List.of(), null, new EvidencePredicate.Failure(v.reason().name(), v.detail()),
                decidedAt, decidedAt);
        return Statement.of(subject, p);
    }

    /** A refused policy; subject: the policy payload digest (or the received bytes' digest if it did not parse). */
    static Statement policy(String digest, ReasonCode reason, String detail, Long policyVersionInForce,
                            GatewayIdentity gateway, Instant decidedAt) {
        EvidencePredicate p = new EvidencePredicate(policyId(digest), gateway.environment(), null, null, null,
                new EvidencePredicate.Component(gateway.id(), gateway.version()), "REJECTED",
                new EvidencePredicate.Admission(Verdict.REJECTED, reason.name(), policyVersionInForce, List.of()),
                null, null, List.of(), null, new EvidencePredicate.Failure(reason.name(), detail), decidedAt,
                decidedAt);
        return Statement.of(digest, p);
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }
}
