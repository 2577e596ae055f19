package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A capsule proposal (the outbox of airlock.proposals.v1) or a fleet's refusal. */
@Entity
@Table(name = "proposals")
public class ProposalEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "capsule_id")
    public String capsuleId;
    @Column(name = "finding_id")
    public Long findingId;
    public String fleet;
    public String lineage;
    public Long sequence;
    public String tier;
    public String environment;
    public String repository;
    /** PENDING (persisted, not yet acknowledged by the broker), PUBLISHED, or REFUSED (no capsule). */
    public String status;
    @Column(name = "reason_code")
    public String reasonCode;
    public String detail;
    public String summary;
    /** The capsule DSSE envelope bytes. */
    public byte[] envelope;
    @Column(name = "capsule_digest")
    public String capsuleDigest;
    /** The exact value published on airlock.proposals.v1. */
    public byte[] value;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "published_at")
    public Instant publishedAt;
}
