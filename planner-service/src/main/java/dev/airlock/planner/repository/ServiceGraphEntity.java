package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A service graph by name. */
@Entity
@Table(name = "service_graphs")
public class ServiceGraphEntity extends PanacheEntityBase {
    @Id
    public String name;
    public String digest;
    @Column(name = "ingested_at")
    public Instant ingestedAt;
}
