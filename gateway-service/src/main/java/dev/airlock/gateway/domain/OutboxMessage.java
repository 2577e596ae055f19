package dev.airlock.gateway.domain;

import dev.airlock.core.events.Admission;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import java.time.Instant;
import java.util.UUID;

/**
 * A record to publish, written in the transaction that decided it. The CloudEvents id and time are fixed here, so a
 * record relayed twice after a crash is the same record, byte for byte and header for header. An admission of a
 * capsule stores the capsule by reference to the inbound record that carried it (migration V3).
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "outbox_seq")
    @SequenceGenerator(name = "outbox_seq", sequenceName = "outbox_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false)
    public String topic;

    @Column(name = "record_key", nullable = false)
    public String recordKey;

    @Column(name = "ce_type", nullable = false)
    public String ceType;

    @Column(name = "ce_id", nullable = false)
    public String ceId;

    @Column(name = "ce_time", nullable = false)
    public Instant ceTime;

    /**
     * What is stored: the whole record, or for an admission that carries its capsule ({@link #capsuleByReference()}),
     * the signed statement ({@link Admission#frame}; v2), or for a row written before v2, the payload bytes before the
     * capsule ({@link Admission#reassemble}).
     */
    @Column(nullable = false, columnDefinition = "bytea")
    public byte[] value;

    /**
     * For a v1 admission by reference (a row written before v2): the envelope's signatures, JSON
     * ({@code [{"keyid":…,"sig":…}]}). Null for v2, whose signatures are in {@link #value}.
     */
    @Column(columnDefinition = "text")
    public String signatures;

    /** For an admission by reference: the inbound record that carried the capsule, and the digest of its bytes. */
    @Column(name = "capsule_topic")
    public String capsuleTopic;

    @Column(name = "capsule_partition")
    public Integer capsulePartition;

    @Column(name = "capsule_offset")
    public Long capsuleOffset;

    @Column(name = "capsule_digest")
    public String capsuleDigest;

    /** The record to publish, when it is not {@link #value} itself; rebuilt after a restart from the broker. */
    @Transient
    public byte[] record;

    @Column(name = "verdict_id", nullable = false)
    public UUID verdictId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public boolean capsuleByReference() {
        return capsuleTopic != null;
    }

    /**
     * The bytes to publish: {@link #record} for an admission by reference (which must have been rebuilt), else the
     * value.
     */
    public byte[] toPublish() {
        if (!capsuleByReference()) {
            return value;
        }
        if (record == null) {
            throw new IllegalStateException("outbox row " + id + ": the admission was not put together again");
        }
        return record;
    }
}
