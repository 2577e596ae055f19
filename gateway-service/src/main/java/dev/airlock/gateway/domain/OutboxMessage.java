package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A record to publish, written in the transaction that decided it. The CloudEvents id and time are fixed here, so a
 * record relayed twice after a crash is the same record, byte for byte and header for header.
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

    @Column(nullable = false, columnDefinition = "bytea")
    public byte[] value;

    @Column(name = "verdict_id", nullable = false)
    public UUID verdictId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
