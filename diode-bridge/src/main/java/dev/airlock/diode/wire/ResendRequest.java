package dev.airlock.diode.wire;

import java.time.Instant;

/**
 * The operator-carried resend request (README "Resend requests"): written by the receiver into its resend
 * directory when a gap cannot be repaired, carried across by hand, and given to {@code diode-bridge resend --request}.
 * It contains only sequence numbers, never payload.
 */
public record ResendRequest(String schema, String stream, long from, long to, Instant detectedAt, String receiver) {
    public static final String SCHEMA = "airlock.diode.resend-request/v1";
    /** Upper bound of one request, so a forged or corrupted file cannot ask for the whole journal. */
    public static final long MAX_RANGE = 1_000_000;

    public ResendRequest {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema");
        }
        WireFormat.streamBytes(stream);
        if (from < 1 || to < from || to - from + 1 > MAX_RANGE) {
            throw new IllegalArgumentException("bad range");
        }
        if (detectedAt == null || receiver == null || receiver.isBlank()) {
            throw new IllegalArgumentException("detectedAt and receiver are required");
        }
    }
}
