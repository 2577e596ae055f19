package dev.airlock.core.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.Checks;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's decision on one inbound signed capsule, published on {@code airlock.admissions.v1} as a DSSE envelope
 * of type {@code application/vnd.airlock.admission.v1+json} signed by the gateway key. (ARCHITECTURE §4 describes the
 * value as {@code {verdict, reason, capsule…}}; v1 of this record carries exactly that, signed, so a runner on an edge
 * host acts only on what the gateway decided, even if something else could write to its topic.)
 *
 * <p>{@code signedCapsule} is the signed capsule exactly as received (a JSON object), so the runner and the evidence
 * service can re-check the capsule digest themselves.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema", "verdict", "reason", "detail", "capsuleId", "capsuleDigest", "environment", "tier",
        "effectiveMode", "policyVersion", "lineage", "sequence", "approvers", "decidedAt", "gateway", "signedCapsule"})
public record Admission(String schema, String verdict, String reason, String detail, String capsuleId,
                        String capsuleDigest, String environment, String tier, String effectiveMode, Long policyVersion,
                        String lineage, Long sequence, List<Verdict.ApproverRef> approvers, Instant decidedAt,
                        String gateway, JsonNode signedCapsule) {
    public static final String SCHEMA = "airlock.admission/v1";

    public Admission {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        Checks.oneOf(verdict, "verdict", Set.of(Verdict.ADMITTED, Verdict.REJECTED));
        if (Verdict.REJECTED.equals(verdict)) {
            ReasonCode.valueOf(Objects.requireNonNull(reason, "a rejection carries a reason"));
        } else {
            if (reason != null) {
                throw new IllegalArgumentException("an admission carries no reason");
            }
            Checks.ident(capsuleId, "capsuleId");
            if (!Hex.isDigest(capsuleDigest)) {
                throw new IllegalArgumentException("capsuleDigest must be sha256:<hex>");
            }
            Checks.oneOf(effectiveMode, "effectiveMode", Set.of("apply", "observe"));
            Objects.requireNonNull(signedCapsule, "an admission carries the signed capsule");
        }
        Checks.required(detail, "detail");
        Checks.ident(environment, "environment");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Checks.ident(gateway, "gateway");
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** Builds the record for a verdict of the engine. */
    public static Admission of(Verdict v, byte[] signedCapsuleBytes, Instant decidedAt, String gatewayId) {
        JsonNode sc = null;
        if (v.isAdmitted()) {
            try {
                sc = StrictJson.readTree(signedCapsuleBytes, StrictJson.SIGNED.withMaxBytes(Long.MAX_VALUE));
            } catch (VerificationException e) {
                throw new IllegalStateException("an admitted capsule no longer parses", e);
            }
        }
        return new Admission(SCHEMA, v.verdict(), v.reason() == null ? null : v.reason().name(), v.detail(),
                v.capsuleId(), v.capsuleDigest(), v.environment(), v.tier(), v.effectiveMode(), v.policyVersion(),
                v.lineage(), v.sequence(), v.approvers(), decidedAt, gatewayId, sc);
    }

    /**
     * The gateway's signed decision on {@code signedCapsuleBytes}: the envelope {@code of(...).sign(gatewayKey)} gives,
     * except that an admitted capsule goes into the payload as the exact bytes received rather than parsed into a tree
     * and written out again (for a 1 MB capsule that round trip was a third of the gateway's CPU). The bytes must be the
     * value the {@link dev.airlock.core.verify.VerificationEngine} admitted, so they are strict JSON already (ARCHITECTURE
     * §5: verified before anything parses them); a consumer parses the payload as it would the tree's output.
     */
    public static Envelope decide(Verdict v, byte[] signedCapsuleBytes, Instant decidedAt, String gatewayId,
                                  SigningKey gatewayKey) {
        return decideDetachable(v, signedCapsuleBytes, decidedAt, gatewayId, gatewayKey).envelope();
    }

    /**
     * A signed admission and, for an admitted capsule, its {@code head}: the payload bytes that come before the
     * embedded capsule (the payload is {@code head ‖ signedCapsule ‖ '}'}). With the head and the signatures, the
     * envelope can be put together again from the capsule bytes ({@link #reassemble}) without the key: the gateway's
     * outbox keeps these instead of a second copy of the capsule.
     */
    public record Detachable(Envelope envelope, byte[] head) {
        /** True when the payload embeds a capsule, i.e. {@link #head} is set. */
        public boolean embedsCapsule() {
            return head != null;
        }
    }

    /** {@link #decide}, keeping the part of the payload that comes before the capsule (null for a rejection). */
    public static Detachable decideDetachable(Verdict v, byte[] signedCapsuleBytes, Instant decidedAt,
                                              String gatewayId, SigningKey gatewayKey) {
        if (!v.isAdmitted()) {
            return new Detachable(of(v, signedCapsuleBytes, decidedAt, gatewayId).sign(gatewayKey), null);
        }
        requireObject(signedCapsuleBytes);
        Admission shell = new Admission(SCHEMA, v.verdict(), null, v.detail(), v.capsuleId(), v.capsuleDigest(),
                v.environment(), v.tier(), v.effectiveMode(), v.policyVersion(), v.lineage(), v.sequence(),
                v.approvers(), decidedAt, gatewayId, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        byte[] shellJson = StrictJson.write(shell);
        // signedCapsule is the last member (@JsonPropertyOrder): the shell ends with "signedCapsule":{}}
        if (!endsWith(shellJson, PLACEHOLDER_TAIL)) {
            throw new IllegalStateException("admission JSON does not end with its signedCapsule member");
        }
        byte[] head = Arrays.copyOf(shellJson, shellJson.length - 3); // drop the placeholder {} and the closing }
        return new Detachable(Dsse.sign(PayloadTypes.ADMISSION, payload(head, signedCapsuleBytes), gatewayKey), head);
    }

    /**
     * The admission envelope {@link #decideDetachable} signed, put together again from its head, the signed capsule it
     * embeds and its signatures: the same bytes, signed by the same key, provided the capsule bytes are the same (the
     * caller checks their digest first). Nothing is signed here; a consumer verifies the result as any admission.
     */
    public static Envelope reassemble(byte[] head, byte[] signedCapsuleBytes, List<Envelope.Signature> signatures) {
        requireObject(signedCapsuleBytes);
        if (!endsWith(head, HEAD_TAIL)) {
            throw new IllegalArgumentException("not the head of an admission payload");
        }
        return Envelope.of(PayloadTypes.ADMISSION, payload(head, signedCapsuleBytes), signatures);
    }

    private static byte[] payload(byte[] head, byte[] signedCapsuleBytes) {
        byte[] payload = new byte[head.length + signedCapsuleBytes.length + 1];
        System.arraycopy(head, 0, payload, 0, head.length);
        System.arraycopy(signedCapsuleBytes, 0, payload, head.length, signedCapsuleBytes.length);
        payload[payload.length - 1] = '}';
        return payload;
    }

    private static final byte[] HEAD_TAIL = "\"signedCapsule\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLACEHOLDER_TAIL = "\"signedCapsule\":{}}".getBytes(StandardCharsets.US_ASCII);

    private static boolean endsWith(byte[] b, byte[] tail) {
        return b.length >= tail.length
                && java.util.Arrays.equals(b, b.length - tail.length, b.length, tail, 0, tail.length);
    }

    /** A JSON object, by its first and last non-whitespace bytes (the engine checked the rest). */
    private static void requireObject(byte[] b) {
        int i = 0;
        int j = b.length - 1;
        while (i <= j && isJsonSpace(b[i])) {
            i++;
        }
        while (j >= i && isJsonSpace(b[j])) {
            j--;
        }
        if (i >= j || b[i] != '{' || b[j] != '}') {
            throw new IllegalArgumentException("a signed capsule is a JSON object");
        }
    }

    private static boolean isJsonSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    public boolean admitted() {
        return Verdict.ADMITTED.equals(verdict);
    }

    public Envelope sign(SigningKey gatewayKey) {
        return Dsse.sign(PayloadTypes.ADMISSION, StrictJson.write(this), gatewayKey);
    }

    /**
     * Verifies an admission envelope against the gateway's public key(s) — over the exact bytes, before parsing — and
     * binds it.
     */
    public static Admission verify(byte[] envelopeBytes, KeyRing gatewayKeys) throws VerificationException {
        Envelope env = Envelope.parse(envelopeBytes, StrictJson.SIGNED.withMaxBytes(80L * 1024 * 1024));
        env.requirePayloadType(PayloadTypes.ADMISSION);
        Dsse.Result r = Dsse.verify(env, gatewayKeys);
        if (!r.anyVerified()) {
            throw new VerificationException(r.anyKnownKey() ? ReasonCode.SIGNATURE_INVALID : ReasonCode.UNKNOWN_KEY,
                    "admission is not signed by the gateway");
        }
        return StrictJson.read(env.payloadBytes(), Admission.class, StrictJson.SIGNED.withMaxBytes(80L * 1024 * 1024));
    }

    public static KeyRing ring(PublicKeyHandle... gatewayKeys) {
        return KeyRing.of(gatewayKeys);
    }
}
