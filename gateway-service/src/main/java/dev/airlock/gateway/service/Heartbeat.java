package dev.airlock.gateway.service;

import java.time.Instant;
import java.util.Objects;

/**
 * Payload of a diode heartbeat, DSSE {@code application/vnd.airlock.diode-heartbeat.v1+json} signed by the bridge
 * principal (SERVICE-CONTRACTS, {@code airlock.diode.health.v1}).
 */
public record Heartbeat(String schema, String bridge, String stream, long lastSequence, Instant sentAt) {
    public static final String SCHEMA = "airlock.diode-heartbeat/v1";
    /** {@code schema} of the record on the health topic that carries a heartbeat envelope. */
    public static final String RECORD_SCHEMA = "airlock.diode.heartbeat/v1";

    public Heartbeat {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema, expected " + SCHEMA);
        }
        if (bridge == null || bridge.isBlank()) {
            throw new IllegalArgumentException("bridge is required");
        }
        Objects.requireNonNull(stream, "stream is required");
        if (lastSequence < 0) {
            throw new IllegalArgumentException("lastSequence must be ≥ 0");
        }
        Objects.requireNonNull(sentAt, "sentAt is required");
    }
}
