package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A CycloneDX SBOM by name. */
@Entity
@Table(name = "sboms")
public class SbomEntity extends PanacheEntityBase {
    @Id
    public String name;
    @Column(name = "serial_number")
    public String serialNumber;
    @Column(name = "spec_version")
    public String specVersion;
    @Column(name = "root_ref")
    public String rootRef;
    @Column(name = "root_purl")
    public String rootPurl;
    public String digest;
    @Column(name = "ingested_at")
    public Instant ingestedAt;
}
