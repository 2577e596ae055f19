package dev.airlock.approval.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * One row of the append-only audit trail: who ({@code actor}, {@code via}), when, what ({@code kind}) about which
 * capsule and which digest. {@code subjectDigest} is the digest of the document that arrived (a decision envelope's
 * payload, a proposal's capsule, a policy); {@code capsuleDigest} the capsule's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"seq", "at", "kind", "actor", "via", "capsuleId", "capsuleDigest", "tier", "reason", "detail",
        "subjectDigest"})
public record AuditEvent(Long seq, Instant at, AuditKind kind, String actor, String via, String capsuleId,
                         String capsuleDigest, String tier, String reason, String detail, String subjectDigest) {

    public static Builder of(AuditKind kind) {
        return new Builder(kind);
    }

    /** Fluent builder: audit rows have many optional fields. */
    public static final class Builder {
        private final AuditKind kind;
        private String actor;
        private String via;
        private String capsuleId;
        private String capsuleDigest;
        private String tier;
        private String reason;
        private String detail;
        private String subjectDigest;

        private Builder(AuditKind kind) {
            this.kind = kind;
        }

        public Builder actor(String v) {
            actor = v;
            return this;
        }

        public Builder via(Via v) {
            via = v == null ? null : v.db();
            return this;
        }

        public Builder via(String v) {
            via = v;
            return this;
        }

        public Builder capsule(String id, String digest, String t) {
            capsuleId = id;
            capsuleDigest = digest;
            tier = t;
            return this;
        }

        public Builder reason(String v) {
            reason = v;
            return this;
        }

        public Builder detail(String v) {
            detail = v;
            return this;
        }

        public Builder subject(String v) {
            subjectDigest = v;
            return this;
        }

        public AuditEvent at(Instant at) {
            return new AuditEvent(null, at, kind, actor, via, capsuleId, capsuleDigest, tier, reason, detail,
                    subjectDigest);
        }
    }
}
