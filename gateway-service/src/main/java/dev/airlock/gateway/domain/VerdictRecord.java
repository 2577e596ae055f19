package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** The decision on one inbound record: a capsule verdict, or a policy installed, unchanged or rejected. */
@Entity
@Table(name = "verdicts")
public class VerdictRecord extends PanacheEntityBase {
    public static final String KIND_CAPSULE = "capsule";
    public static final String KIND_POLICY = "policy";
    public static final String INSTALLED = "installed";
    public static final String UNCHANGED = "unchanged";

    @Id
    public UUID id;

    @Column(nullable = false)
    public String kind;

    @Column(name = "record_topic", nullable = false)
    public String recordTopic;

    @Column(name = "record_partition", nullable = false)
    public int recordPartition;

    @Column(name = "record_offset", nullable = false)
    public long recordOffset;

    @Column(name = "record_key")
    public String recordKey;

    @Column(name = "inbound_digest", nullable = false)
    public String inboundDigest;

    @Column(nullable = false)
    public String verdict;

    public String reason;

    @Column(nullable = false)
    public String detail;

    @Column(name = "capsule_id")
    public String capsuleId;

    @Column(name = "capsule_digest")
    public String capsuleDigest;

    public String lineage;

    public Long sequence;

    @Column(name = "policy_version")
    public Long policyVersion;

    @Column(name = "effective_mode")
    public String effectiveMode;

    @Column(name = "decided_at", nullable = false)
    public Instant decidedAt;
}
