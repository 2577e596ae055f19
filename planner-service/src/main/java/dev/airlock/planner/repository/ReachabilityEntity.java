package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The reachability verdict of a finding. */
@Entity
@Table(name = "reachability_results")
public class ReachabilityEntity extends PanacheEntityBase {
    @Id
    @Column(name = "finding_id")
    public Long findingId;
    public boolean reachable;
    public boolean known;
    /** JSON array of node labels. */
    public String path;
    /** JSON array of lines. */
    public String reasoning;
    public String service;
    @Column(name = "sbom_name")
    public String sbomName;
    public String product;
    @Column(name = "computed_at")
    public Instant computedAt;
}
