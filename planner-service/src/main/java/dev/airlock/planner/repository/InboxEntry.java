package dev.airlock.planner.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A Kafka record whose side effects are committed (de-duplication of redeliveries). */
@Entity
@Table(name = "inbox")
public class InboxEntry extends PanacheEntityBase {
    @Id
    @Column(name = "message_id")
    public String messageId;
    public String topic;
    public String digest;
    @Column(name = "received_at")
    public Instant receivedAt;
}
