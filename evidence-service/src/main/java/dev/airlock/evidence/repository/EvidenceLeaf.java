package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One leaf of the evidence log: the entry exactly as received (null once purged) and what it is about. */
@Entity
@Table(name = "evidence_leaf")
public class EvidenceLeaf extends PanacheEntityBase {
    public static final String BUNDLE = "bundle";
    public static final String PURGE = "purge";

    @Id
    @Column(name = "leaf_index")
    public long leafIndex;

    @Column(name = "leaf_hash", nullable = false)
    public byte[] leafHash;

    public byte[] entry;

    @Column(name = "entry_kind", nullable = false)
    public String entryKind;

    @Column(name = "capsule_id")
    public String capsuleId;

    public String environment;
    public String outcome;
    public String reason;
    public String tier;

    @Column(nullable = false)
    public String signer;

    @Column(name = "policy_version")
    public Long policyVersion;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;

    @Column(name = "purged_at")
    public Instant purgedAt;

    @Column(name = "egress_mode", nullable = false)
    public String egressMode;

    @Column(name = "egress_allow")
    public String egressAllow;

    @Column(name = "projected_at")
    public Instant projectedAt;

    @Column(nullable = false)
    public byte[] receipt;
}
