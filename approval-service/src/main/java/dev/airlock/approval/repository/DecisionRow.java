package dev.airlock.approval.repository;

import java.time.Instant;

/** One accepted decision: the approval envelope exactly as it arrived, and what it says. */
public record DecisionRow(Long id, String capsuleId, String envelopeSha256, byte[] envelope, String approver,
                          String role, String decision, String basis, String ticket, Instant decidedAt,
                          Instant receivedAt, String receivedVia, String receivedFrom) {
}
