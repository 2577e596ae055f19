package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A component of an SBOM. */
@Entity
@Table(name = "components")
public class ComponentEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "sbom_name")
    public String sbomName;
    @Column(name = "bom_ref")
    public String bomRef;
    public String purl;
    public String scope;
    public int position;
}
