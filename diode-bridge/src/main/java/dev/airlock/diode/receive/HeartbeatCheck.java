package dev.airlock.diode.receive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.diode.send.Heartbeats;

import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

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
        JsonNode env = StrictJson.readTree(dsse, LIMITS);
        for (Iterator<String> it = env.fieldNames(); it.hasNext(); ) {
            if (!Set.of("payloadType", "payload", "signatures").contains(it.next())) {
                throw new VerificationException(ReasonCode.MALFORMED, "unknown envelope field");
            }
        }
        JsonNode type = env.get("payloadType");
        JsonNode payload = env.get("payload");
        JsonNode sigs = env.get("signatures");
        if (type == null || !type.isTextual() || !Heartbeats.PAYLOAD_TYPE.equals(type.asText())) {
            throw new VerificationException(ReasonCode.MALFORMED, "not a heartbeat payloadType");
        }
        if (payload == null || !payload.isTextual() || sigs == null || !sigs.isArray() || sigs.isEmpty()) {
            throw new VerificationException(ReasonCode.MALFORMED, "envelope shape");
        }
        for (JsonNode s : sigs) {
            if (!s.isObject() || !s.has("sig") || !s.get("sig").isTextual()) {
                throw new VerificationException(ReasonCode.MALFORMED, "signature shape");
            }
        }
        byte[] body;
        try {
            body = Base64.getDecoder().decode(payload.asText());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(ReasonCode.MALFORMED, "payload is not base64");
        }
        return StrictJson.read(body, Payload.class, LIMITS);
    }
}
