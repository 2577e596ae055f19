package dev.airlock.gateway.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.gateway.domain.InboxEntry;

import java.util.Objects;

/**
 * One record of {@code airlock.inbound.v1} as delivered: its position, key and exact bytes (null for a tombstone).
 * The digest of the bytes identifies the delivery together with the position.
 */
public record Inbound(String topic, int partition, long offset, String key, byte[] value, String digest) {
    public Inbound {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(digest, "digest");
    }

    public static Inbound of(String topic, int partition, long offset, String key, byte[] value) {
        return new Inbound(topic, partition, offset, key, value, Hex.digest(value == null ? new byte[0] : value));
    }

    /** The inbox key of this delivery. */
    public String delivery() {
        return InboxEntry.delivery(topic, partition, offset, digest);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
