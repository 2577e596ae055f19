package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A signed checkpoint: the DSSE bytes as signed, with its size and root for lookups. */
@Entity
@Table(name = "checkpoint")
public class CheckpointRow extends PanacheEntityBase {
    @Id
    public long size;

    @Column(name = "root_hash", nullable = false)
    public byte[] rootHash;

    @Column(nullable = false)
    public byte[] envelope;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
