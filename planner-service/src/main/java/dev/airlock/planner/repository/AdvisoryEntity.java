package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** An OSV advisory. */
@Entity
@Table(name = "advisories")
public class AdvisoryEntity extends PanacheEntityBase {
    @Id
    public String id;
    public String modified;
    /** JSON array. */
    public String aliases;
    public String summary;
    /** The OSV entry as received (JSON). */
    public String document;
    public String digest;
    @Column(name = "ingested_at")
    public Instant ingestedAt;
}
