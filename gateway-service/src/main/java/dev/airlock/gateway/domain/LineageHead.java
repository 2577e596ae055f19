package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The highest admitted sequence of a lineage (ARCHITECTURE §3.2: {@code (lineage, sequence)} only grows). */
@Entity
@Table(name = "lineage_head")
public class LineageHead extends PanacheEntityBase {
    @Id
    public String lineage;

    @Column(name = "last_sequence", nullable = false)
    public long lastSequence;

    @Column(name = "capsule_id", nullable = false)
    public String capsuleId;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
