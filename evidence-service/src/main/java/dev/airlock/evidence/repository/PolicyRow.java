package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One installed policy version, the envelope bytes as accepted. */
@Entity
@Table(name = "policy_history")
public class PolicyRow extends PanacheEntityBase {
    @Id
    public long version;

    @Column(nullable = false)
    public String digest;

    @Column(nullable = false)
    public byte[] envelope;

    @Column(name = "installed_at", nullable = false)
    public Instant installedAt;
}
