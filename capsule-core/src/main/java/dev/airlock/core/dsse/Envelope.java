package dev.airlock.core.dsse;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A DSSE v1 envelope {@code {"payloadType", "payload", "signatures": [{"keyid", "sig"}]}}. The payload is kept as the
 * exact bytes that were signed; nothing in here interprets it. Base64 must be canonical standard base64 with padding
 * (one encoding per byte string).
 */
@JsonPropertyOrder({"payloadType", "payload", "signatures"})
public final class Envelope {
    /**
     * More signatures than this on one envelope is a shape bomb, not a quorum (SECURITY-TESTS B.11). A policy root has at
     * most 16 keys, so a rotation signed by every old and every new root key still fits.
     */
    public static final int MAX_SIGNATURES = 32;

    /** One signature entry. {@code keyid} is a hint only (may be empty). */
    @JsonPropertyOrder({"keyid", "sig"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Signature(String keyid, String sig) {
        public Signature {
            keyid = keyid == null ? "" : keyid;
            Objects.requireNonNull(sig, "sig");
        }

        @JsonIgnore
        public byte[] sigBytes() throws VerificationException {
            return decodeCanonical(sig, "signature");
        }
    }

    private final String payloadType;
    private final String payload;
    private final List<Signature> signatures;
    private final byte[] payloadBytes;

    @JsonCreator
    public Envelope(@JsonProperty("payloadType") String payloadType, @JsonProperty("payload") String payload,
                    @JsonProperty("signatures") List<Signature> signatures) {
        this(payloadType, payload, decodePayload(payload), signatures);
    }

    private Envelope(String payloadType, String payload, byte[] payloadBytes, List<Signature> signatures) {
        if (payloadType == null || payloadType.isEmpty()) {
            throw new IllegalArgumentException("payloadType is required");
        }
        if (signatures == null || signatures.isEmpty()) {
            throw new IllegalArgumentException("at least one signature is required");
        }
        for (Signature s : signatures) {
            if (s == null) {
                throw new IllegalArgumentException("null signature entry");
            }
        }
        this.payloadType = payloadType;
        this.payload = payload;
        this.signatures = List.copyOf(signatures);
        this.payloadBytes = payloadBytes;
    }

    private static byte[] decodePayload(String payload) {
        if (payload == null) {
            throw new IllegalArgumentException("payload is required");
        }
        try {
            return decodeCanonical(payload, "payload");
        } catch (VerificationException e) {
            throw new IllegalArgumentException(e.detail());
        }
    }

    /**
     * Builds an envelope around already-signed bytes. The payload is encoded here, so it is not decoded again (for an
     * admission embedding a 1 MB capsule that decode was about 1.4 MB of base64 per envelope).
     */
    public static Envelope of(String payloadType, byte[] payload, List<Signature> signatures) {
        return new Envelope(payloadType, Base64.getEncoder().encodeToString(payload), payload.clone(), signatures);
    }

    /**
     * Parses the outer envelope strictly (ARCHITECTURE §1 invariant 5). Only the envelope's own JSON is read: the
     * payload stays opaque bytes until a signature over them has been verified.
     */
    public static Envelope parse(byte[] json, StrictJson.Limits limits) throws VerificationException {
        JsonNode tree = StrictJson.readTree(json, limits);
        return fromTree(tree);
    }

    public static Envelope parse(byte[] json) throws VerificationException {
        return parse(json, StrictJson.SIGNED);
    }

    /** Binds an already strictly-read tree (e.g. an element of a signed capsule's {@code approvals}). */
    public static Envelope fromTree(JsonNode tree) throws VerificationException {
        JsonNode sigs = tree.get("signatures");
        if (sigs != null && sigs.isArray() && sigs.size() > MAX_SIGNATURES) {
            throw new VerificationException(ReasonCode.TOO_LARGE, String.format(Locale.ROOT,
                    "envelope carries %d signatures, limit %d", sigs.size(), MAX_SIGNATURES));
        }
        return StrictJson.treeToValue(tree, Envelope.class);
    }

    @JsonProperty("payloadType")
    public String payloadType() {
        return payloadType;
    }

    @JsonProperty("payload")
    public String payload() {
        return payload;
    }

    @JsonProperty("signatures")
    public List<Signature> signatures() {
        return signatures;
    }

    /** The exact signed bytes (decoded payload). A copy: callers cannot alter what was verified. */
    @JsonIgnore
    public byte[] payloadBytes() {
        return payloadBytes.clone();
    }

    /**
     * Strictly reads the payload as {@code type} ({@link StrictJson#read}) without copying it first: for a 1 MB capsule,
     * {@link #payloadBytes()} would copy a megabyte only for the parser to read it once.
     */
    public <T> T readPayload(Class<T> type, StrictJson.Limits limits) throws VerificationException {
        return StrictJson.read(payloadBytes, type, limits);
    }

    /** The payload bytes themselves, for {@link Dsse} in this package only, which reads them and never changes them. */
    byte[] payloadView() {
        return payloadBytes;
    }

    /** {@code sha256:<hex>} over the decoded payload bytes (ARCHITECTURE §2). */
    @JsonIgnore
    public String payloadDigest() {
        return Hex.digest(payloadBytes);
    }

    public byte[] toJson() {
        return StrictJson.write(this);
    }

    /** Requires {@code payloadType} to be exactly {@code expected}, else {@code MALFORMED}. */
    public void requirePayloadType(String expected) throws VerificationException {
        if (!expected.equals(payloadType)) {
            throw new VerificationException(ReasonCode.MALFORMED,
                    "payloadType is '" + abbreviate(payloadType) + "', expected '" + expected + "'");
        }
    }

    static byte[] decodeCanonical(String b64, String what) throws VerificationException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not base64");
        }
        if (!isCanonical(b64, bytes.length)) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not canonical padded base64");
        }
        return bytes;
    }

    /**
     * Whether {@code b64}, which the basic decoder has accepted as {@code n} bytes, is exactly what
     * {@code Base64.getEncoder()} writes for them — decided without encoding again, which for a 1 MB payload cost two
     * more 1.4 MB copies per envelope. The decoder accepts two things the encoder never writes: a last group without
     * its {@code =} padding, and nonzero bits in the last data character that no byte uses (RFC 4648 §3.5 says they
     * MUST be zero; otherwise up to 16 strings would decode to the same payload). Everything else the decoder accepts
     * is canonical: four characters per three bytes is a bijection.
     */
    private static boolean isCanonical(String b64, int n) {
        // Padded length; long because 4 * ceil(n / 3) can pass Integer.MAX_VALUE for the largest strings.
        if (b64.length() != 4L * ((n + 2L) / 3)) {
            return false;
        }
        // With the length right, n % 3 == 1 means "XY==" (the low 4 bits of Y unused), n % 3 == 2 means "XYZ=" (the
        // low 2 bits of Z unused); the decoder refuses any other padding.
        return switch (n % 3) {
            case 1 -> (sextet(b64.charAt(b64.length() - 3)) & 0x0F) == 0;
            case 2 -> (sextet(b64.charAt(b64.length() - 2)) & 0x03) == 0;
            default -> true;
        };
    }

    /** Value of a character of the standard alphabet (RFC 4648 Table 1); the decoder has already refused any other. */
    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : 63;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope e && payloadType.equals(e.payloadType) && payload.equals(e.payload)
                && signatures.equals(e.signatures);
    }

    @Override
    public int hashCode() {
        return Objects.hash(payloadType, payload, signatures);
    }

    @Override
    public String toString() {
        return "Envelope[" + payloadType + ", " + payloadDigest() + ", " + signatures.size() + " signature(s)]";
    }
}
