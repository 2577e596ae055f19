package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An admitted capsule (ARCHITECTURE §5 {@code REPLAY}): its id is the primary key, so it is admitted at most once. */
@Entity
@Table(name = "admission_ledger")
public class LedgerEntry extends PanacheEntityBase {
    @Id
    @Column(name = "capsule_id")
    public String capsuleId;

    @Column(nullable = false)
    public String lineage;

    @Column(nullable = false)
    public long sequence;

    @Column(name = "capsule_digest", nullable = false)
    public String capsuleDigest;

    @Column(name = "policy_version", nullable = false)
    public long policyVersion;

    @Column(name = "verdict_id", nullable = false)
    public UUID verdictId;

    @Column(name = "admitted_at", nullable = false)
    public Instant admittedAt;
}
