package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The log's name and size; appends lock this one row, so there is a single writer. */
@Entity
@Table(name = "log_head")
public class LogHead extends PanacheEntityBase {
    public static final short ID = 1;

    @Id
    public short id;

    @Column(name = "log_id", nullable = false)
    public String logId;

    @Column(nullable = false)
    public long size;
}
