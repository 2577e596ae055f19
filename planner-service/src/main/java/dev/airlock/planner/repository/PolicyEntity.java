package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One installed policy (the history {@code PolicyTrust} verifies rotations against). */
@Entity
@Table(name = "policies")
public class PolicyEntity extends PanacheEntityBase {
    @Id
    public Long version;
    public String digest;
    public byte[] envelope;
    @Column(name = "installed_at")
    public Instant installedAt;
}
