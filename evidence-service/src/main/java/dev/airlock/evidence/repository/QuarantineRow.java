package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** Something that arrived and could not be verified: kept with its reason, never appended to the log. */
@Entity
@Table(name = "quarantine")
public class QuarantineRow extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String sha256;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String reason;

    @Column(nullable = false)
    public String detail;

    @Column(nullable = false)
    public byte[] bytes;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;

    public String source;
}
