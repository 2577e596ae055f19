package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A tier decision with its reasoning (history: one row per change). */
@Entity
@Table(name = "tier_decisions")
public class TierDecisionEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "finding_id")
    public Long findingId;
    public String tier;
    /** JSON array of lines. */
    public String reasoning;
    public Boolean kev;
    public String epss;
    public String ssvc;
    @Column(name = "decided_at")
    public Instant decidedAt;
}
