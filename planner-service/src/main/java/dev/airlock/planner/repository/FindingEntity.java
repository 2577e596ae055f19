package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A finding: one SARIF result, or one OSV advisory matched to one SBOM component. */
@Entity
@Table(name = "findings")
public class FindingEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String fingerprint;
    public String source;
    @Column(name = "vulnerability_id")
    public String vulnerabilityId;
    /** JSON array. */
    public String aliases;
    public String cve;
    @Column(name = "rule_id")
    public String ruleId;
    public String tool;
    public String title;
    public String severity;
    @Column(name = "component_purl")
    public String componentPurl;
    @Column(name = "sbom_name")
    public String sbomName;
    @Column(name = "advisory_id")
    public String advisoryId;
    @Column(name = "fixed_version")
    public String fixedVersion;
    /** The SARIF result as the scanner wrote it (JSON), for SARIF findings. */
    public String sarif;
    /** OPEN, or RESOLVED when the SBOM it was matched in no longer contains the component. */
    public String status;
    public String tier;
    /** The tier the last proposal (or refusal) was made for; a proposal is due when it differs from {@code tier}. */
    @Column(name = "proposed_tier")
    public String proposedTier;
    @Column(name = "first_seen")
    public Instant firstSeen;
    @Column(name = "last_seen")
    public Instant lastSeen;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
