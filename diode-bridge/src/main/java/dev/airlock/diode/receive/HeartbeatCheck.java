package dev.airlock.diode.receive;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.diode.send.Heartbeats;

import java.time.Instant;

/**
 * Shape check of a heartbeat DSSE: envelope fields, payloadType, strict payload. The receiver has no policy and
 * checks no signature; it forwards the envelope so the gateway verifies it against the {@code bridge} principal.
 */
final class HeartbeatCheck {
    private static final StrictJson.Limits LIMITS = new StrictJson.Limits(16 * 1024, 8, 200);

    /** The heartbeat payload (README "Heartbeat"). */
    record Payload(String schema, String bridge, String stream, long lastSequence, Instant sentAt) {
        Payload {
            if (!Heartbeats.SCHEMA.equals(schema) || bridge == null || bridge.isBlank() || stream == null
                    || lastSequence < 0 || sentAt == null) {
                throw new IllegalArgumentException("not a heartbeat payload");
            }
        }
    }

    private HeartbeatCheck() {
    }

    static Payload check(byte[] dsse) throws VerificationException {
        Envelope env = Envelope.parse(dsse, LIMITS);
        env.requirePayloadType(Heartbeats.PAYLOAD_TYPE);
        return StrictJson.read(env.payloadBytes(), Payload.class, LIMITS);
    }
}
