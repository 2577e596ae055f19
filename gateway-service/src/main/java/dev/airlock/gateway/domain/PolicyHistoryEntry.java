package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One installed policy version: the exact envelope bytes, so the chain can be re-verified at every start-up. */
@Entity
@Table(name = "policy_history")
public class PolicyHistoryEntry extends PanacheEntityBase {
    public static final String SOURCE_INITIAL = "initial-policy";
    public static final String SOURCE_INBOUND = "inbound";

    @Id
    public long version;

    @Column(nullable = false, unique = true)
    public String digest;

    @Column(nullable = false, columnDefinition = "bytea")
    public byte[] envelope;

    @Column(nullable = false)
    public String source;

    @Column(name = "installed_at", nullable = false)
    public Instant installedAt;
}
