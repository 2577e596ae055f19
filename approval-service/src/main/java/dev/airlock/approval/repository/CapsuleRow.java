package dev.airlock.approval.repository;

import dev.airlock.approval.domain.CapsuleStatus;

import java.time.Instant;

/** One queued capsule as stored: the capsule envelope and the proposal exactly as they arrived. */
public record CapsuleRow(String capsuleId, String capsuleDigest, CapsuleStatus status, String tier, String environment,
                         String proposer, long policyVersion, byte[] capsuleEnvelope, byte[] proposal, String summary,
                         String findingId, String reason, String detail, Instant receivedAt, Instant updatedAt) {
}
