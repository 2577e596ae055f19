package dev.airlock.gateway.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery already decided. Its key is the record's position and the digest of its bytes, so a redelivery (broker
 * restart, rebalance, crash before the offset commit) is recognised, while the same bytes arriving again at a new
 * offset are a new event (a replay, decided as such).
 */
@Entity
@Table(name = "inbox")
public class InboxEntry extends PanacheEntityBase {
    @Id
    public String delivery;

    @Column(name = "record_topic", nullable = false)
    public String recordTopic;

    @Column(name = "record_partition", nullable = false)
    public int recordPartition;

    @Column(name = "record_offset", nullable = false)
    public long recordOffset;

    @Column(name = "inbound_digest", nullable = false)
    public String inboundDigest;

    @Column(name = "verdict_id", nullable = false)
    public UUID verdictId;

    @Column(name = "processed_at", nullable = false)
    public Instant processedAt;

    public static String delivery(String topic, int partition, long offset, String digest) {
        return topic + "-" + partition + "@" + offset + "/" + digest;
    }
}
