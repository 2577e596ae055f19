package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An edge of an SBOM's dependency graph ({@code ref} → {@code dependsOn}). */
@Entity
@Table(name = "component_dependencies")
public class ComponentDependencyEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "sbom_name")
    public String sbomName;
    @Column(name = "from_ref")
    public String fromRef;
    /** null: {@code fromRef} is in the graph with no dependencies. */
    @Column(name = "to_ref")
    public String toRef;
    public int position;
}
