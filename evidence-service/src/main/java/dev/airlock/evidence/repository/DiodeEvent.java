package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One report of the diode receiver (counters, gaps, heartbeats, freezes), kept for the dashboard. */
@Entity
@Table(name = "diode_event")
public class DiodeEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String position;

    @Column(name = "schema_name", nullable = false)
    public String schemaName;

    public String stream;

    @Column(name = "gap_from")
    public Long gapFrom;

    @Column(name = "gap_to")
    public Long gapTo;

    @Column(nullable = false)
    public byte[] body;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;
}
