package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A {@code calls} edge. */
@Entity
@Table(name = "service_calls")
public class ServiceCallEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "graph_name")
    public String graphName;
    @Column(name = "from_service")
    public String fromService;
    @Column(name = "to_service")
    public String toService;
}
