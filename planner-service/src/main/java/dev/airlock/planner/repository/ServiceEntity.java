package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A service of a service graph. */
@Entity
@Table(name = "services")
public class ServiceEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "graph_name")
    public String graphName;
    public String name;
    public String exposure;
    public String criticality;
    @Column(name = "sbom_name")
    public String sbomName;
    public String repository;
    public String environment;
    public int position;
}
