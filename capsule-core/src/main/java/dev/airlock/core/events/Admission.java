package dev.airlock.core.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's decision on one inbound signed capsule, published on {@code airlock.admissions.v1} and signed by the
 * gateway key, so a runner on an edge host acts only on what the gateway decided, even if something else could write
 * to its topic. (ARCHITECTURE §4 describes the value as {@code {verdict, reason, capsule…}}.)
 *
 * <p><b>v2</b> (schema {@code airlock.admission/v2}, written by the gateway): the record is
 * {@code {"admission":<DSSE>,"signedCapsule":<the signed capsule>}}, byte for byte in that form. The DSSE envelope
 * ({@code application/vnd.airlock.admission.v2+json}) signs a small statement that names the signed capsule by the
 * SHA-256 of its exact bytes ({@code signedCapsuleDigest}), as an in-toto Statement names its subject; the capsule
 * follows it unchanged. The reader ({@link #verify}) checks the framing, verifies the signature, then checks the
 * capsule's digest, and only then parses the capsule. A rejection is {@code {"admission":<DSSE>}}.
 * Why: v1 signed the whole capsule into the envelope, so the gateway hashed every admitted byte twice more (Ed25519's
 * SHA-512 passes) and base64-encoded it: 9.3 ms per 1 MB capsule, against 0.64 ms to issue v2 (bench README).
 *
 * <p><b>v1</b> (schema {@code airlock.admission/v1}; still read, no longer written by the gateway): the record is one
 * DSSE envelope ({@code application/vnd.airlock.admission.v1+json}) whose payload embeds {@code signedCapsule}.
 *
 * <p>After {@link #verify}, {@code signedCapsule} is the signed capsule (a JSON object) in both versions, so the runner
 * re-checks the capsule digest itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema", "verdict", "reason", "detail", "capsuleId", "capsuleDigest", "environment", "tier",
        "effectiveMode", "policyVersion", "lineage", "sequence", "approvers", "decidedAt", "gateway",
        "signedCapsuleDigest", "signedCapsule"})
public record Admission(String schema, String verdict, String reason, String detail, String capsuleId,
                        String capsuleDigest, String environment, String tier, String effectiveMode, Long policyVersion,
                        String lineage, Long sequence, List<Verdict.ApproverRef> approvers, Instant decidedAt,
                        String gateway, String signedCapsuleDigest, JsonNode signedCapsule) {
    /** v1: the capsule inside the signed payload (read only). */
    public static final String SCHEMA = "airlock.admission/v1";
    /** v2: the capsule beside the signed statement, bound by {@code signedCapsuleDigest}. */
    public static final String SCHEMA_V2 = "airlock.admission/v2";

    /** Largest admission record read: a capsule is at most 4 MiB by default, and a site may raise that. */
    public static final long MAX_RECORD_BYTES = 80L * 1024 * 1024;

    public Admission {
        if (!SCHEMA.equals(schema) && !SCHEMA_V2.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA_V2 + " or "
                    + SCHEMA);
        }
        boolean v2 = SCHEMA_V2.equals(schema);
        if (!v2 && signedCapsuleDigest != null) {
            throw new IllegalArgumentException("signedCapsuleDigest is a member of " + SCHEMA_V2 + " only");
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
            if (v2) {
                if (!Hex.isDigest(signedCapsuleDigest)) {
                    throw new IllegalArgumentException("signedCapsuleDigest must be sha256:<hex>");
                }
            } else {
                Objects.requireNonNull(signedCapsule, "an admission carries the signed capsule");
            }
        }
        if (!Verdict.ADMITTED.equals(verdict) && (signedCapsuleDigest != null || signedCapsule != null)) {
            throw new IllegalArgumentException("a rejection does not carry the capsule");
        }
        Checks.required(detail, "detail");
        Checks.ident(environment, "environment");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Checks.ident(gateway, "gateway");
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /**
     * Builds the v1 record for a verdict of the engine. v1 writing ({@code of}, {@link #decide},
     * {@link #decideDetachable}) is no longer used by the gateway, which issues v2 ({@link #issue}); it stays as the
     * counterpart of {@link #reassemble} (outbox rows written before v2) and for the tests of the v1 reader.
     */
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
                v.lineage(), v.sequence(), v.approvers(), decidedAt, gatewayId, null, sc);
    }

    /**
     * A v1 signed decision on {@code signedCapsuleBytes} (see {@link #of}): the envelope
     * {@code of(...).sign(gatewayKey)} gives, except that an admitted capsule goes into the payload as the exact bytes
     * received rather than parsed into a tree and written out again (for a 1 MB capsule that round trip was a third
     * of the gateway's CPU). The bytes must be the value the {@link dev.airlock.core.verify.VerificationEngine}
     * admitted, so they are strict JSON already (ARCHITECTURE §5: verified before anything parses them); a consumer
     * parses the payload as it would the tree's output.
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
                v.approvers(), decidedAt, gatewayId, null,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
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

    /** This admission's payload signed as its schema's DSSE type (for v2, the statement without the capsule). */
    public Envelope sign(SigningKey gatewayKey) {
        if (SCHEMA_V2.equals(schema) && signedCapsule != null) {
            throw new IllegalStateException("a v2 statement names its capsule by digest and does not embed it");
        }
        return Dsse.sign(SCHEMA_V2.equals(schema) ? PayloadTypes.ADMISSION_V2 : PayloadTypes.ADMISSION,
                StrictJson.write(this), gatewayKey);
    }

    // --- v2: the signed statement, and the capsule beside it ---

    /**
     * A v2 admission as the gateway issues it: the signed statement and, for an admitted capsule, the capsule's bytes
     * (as received, without surrounding whitespace) that go beside it in the record.
     */
    public record Issued(Envelope envelope, byte[] envelopeJson, byte[] signedCapsule) {
        public boolean embedsCapsule() {
            return signedCapsule != null;
        }

        /** The value published on {@code airlock.admissions.v1}. */
        public byte[] toRecord() {
            return frame(envelopeJson, signedCapsule);
        }
    }

    /**
     * The gateway's v2 decision on {@code signedCapsuleBytes}, the value the
     * {@link dev.airlock.core.verify.VerificationEngine} decided on. Only the statement is signed; it names an admitted
     * capsule by {@code signedCapsuleDigest}.
     *
     * @param receivedDigest {@link Hex#digest} of {@code signedCapsuleBytes} if the caller has computed it already
     *                       (the gateway has, for its inbox), else null. Used only when the bytes have no surrounding
     *                       whitespace; a wrong value makes every reader reject the record (DIGEST_MISMATCH).
     */
    public static Issued issue(Verdict v, byte[] signedCapsuleBytes, String receivedDigest, Instant decidedAt,
                               String gatewayId, SigningKey gatewayKey) {
        byte[] capsule = null;
        String digest = null;
        if (v.isAdmitted()) {
            capsule = trim(signedCapsuleBytes);
            requireObject(capsule);
            digest = capsule == signedCapsuleBytes && receivedDigest != null ? receivedDigest : Hex.digest(capsule);
        }
        Admission statement = new Admission(SCHEMA_V2, v.verdict(), v.reason() == null ? null : v.reason().name(),
                v.detail(), v.capsuleId(), v.capsuleDigest(), v.environment(), v.tier(), v.effectiveMode(),
                v.policyVersion(), v.lineage(), v.sequence(), v.approvers(), decidedAt, gatewayId, digest, null);
        Envelope env = statement.sign(gatewayKey);
        return new Issued(env, env.toJson(), capsule);
    }

    /**
     * The v2 record of a signed statement ({@code envelopeJson}, as {@link Issued#envelopeJson}) and the capsule it
     * names (null for a rejection): {@code {"admission":…,"signedCapsule":…}}. Nothing is signed here; the
     * gateway's outbox keeps the statement and rebuilds the record after a restart from the capsule's inbound record.
     */
    public static byte[] frame(byte[] envelopeJson, byte[] signedCapsuleBytes) {
        byte[] capsule = signedCapsuleBytes == null ? null : trim(signedCapsuleBytes);
        int length = FRAME_HEAD.length + envelopeJson.length + 1
                + (capsule == null ? 0 : FRAME_CAPSULE.length + capsule.length);
        byte[] out = new byte[length];
        int at = put(out, 0, FRAME_HEAD);
        at = put(out, at, envelopeJson);
        if (capsule != null) {
            at = put(out, at, FRAME_CAPSULE);
            at = put(out, at, capsule);
        }
        out[at] = '}';
        return out;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    private static final byte[] FRAME_HEAD = "{\"admission\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_CAPSULE = ",\"signedCapsule\":".getBytes(StandardCharsets.US_ASCII);

    /** {@code b} without leading and trailing JSON whitespace ({@code b} itself when there is none). */
    private static byte[] trim(byte[] b) {
        int i = 0;
        int j = b.length;
        while (i < j && isJsonSpace(b[i])) {
            i++;
        }
        while (j > i && isJsonSpace(b[j - 1])) {
            j--;
        }
        return i == 0 && j == b.length ? b : Arrays.copyOfRange(b, i, j);
    }

    // --- reading ---

    /**
     * Verifies an admission record against the gateway's public key(s) and binds it; {@link #signedCapsule} is set for
     * an admitted capsule. v2 (the record starts with {@code {"admission":}): the framing is checked byte for byte,
     * the statement's signature over its exact bytes (DSSE PAE), then the SHA-256 of the capsule bytes against the
     * signed {@code signedCapsuleDigest}; the capsule is parsed only after that. v1: the envelope's signature, then its
     * payload. Nothing is parsed past the envelope before its signature verified.
     *
     * @throws VerificationException {@code TOO_LARGE}, {@code MALFORMED}, {@code UNKNOWN_KEY},
     *                               {@code SIGNATURE_INVALID}, or {@code DIGEST_MISMATCH} (v2: the capsule beside the
     *                               statement is not the one it names)
     */
    public static Admission verify(byte[] recordBytes, KeyRing gatewayKeys) throws VerificationException {
        if (recordBytes == null) {
            throw new VerificationException(ReasonCode.MALFORMED, "no admission record");
        }
        if (recordBytes.length > MAX_RECORD_BYTES) {
            throw new VerificationException(ReasonCode.TOO_LARGE, "admission record is " + recordBytes.length
                    + " bytes, limit " + MAX_RECORD_BYTES);
        }
        return startsWith(recordBytes, FRAME_HEAD) ? verifyV2(recordBytes, gatewayKeys)
                : verifyV1(recordBytes, gatewayKeys);
    }

    private static Admission verifyV2(byte[] record, KeyRing gatewayKeys) throws VerificationException {
        int envStart = FRAME_HEAD.length;
        int envEnd = endOfObject(record, envStart);
        int capsuleStart = -1;
        int last = record.length - 1;
        if (envEnd == last && record[last] == '}') {
            // a rejection: {"admission":…}
        } else if (regionEquals(record, envEnd, FRAME_CAPSULE) && record[last] == '}'
                && last > envEnd + FRAME_CAPSULE.length) {
            capsuleStart = envEnd + FRAME_CAPSULE.length;
        } else {
            throw new VerificationException(ReasonCode.MALFORMED,
                    "not an admission record: expected {\"admission\":<DSSE>} or"
                            + " {\"admission\":<DSSE>,\"signedCapsule\":{…}}");
        }
        Envelope env = Envelope.parse(Arrays.copyOfRange(record, envStart, envEnd), StrictJson.SIGNED);
        env.requirePayloadType(PayloadTypes.ADMISSION_V2);
        requireGatewaySignature(env, gatewayKeys);
        Admission a = bind(env, SCHEMA_V2);
        if (a.signedCapsule() != null) {
            throw new VerificationException(ReasonCode.MALFORMED, "a v2 admission statement embeds no capsule");
        }
        if (!a.admitted()) {
            if (capsuleStart >= 0) {
                throw new VerificationException(ReasonCode.MALFORMED, "a rejection carries no capsule");
            }
            return a;
        }
        if (capsuleStart < 0) {
            throw new VerificationException(ReasonCode.MALFORMED, "an admission record without its capsule");
        }
        byte[] capsule = Arrays.copyOfRange(record, capsuleStart, last);
        String digest = Hex.digest(capsule);
        if (!digest.equals(a.signedCapsuleDigest())) {
            throw new VerificationException(ReasonCode.DIGEST_MISMATCH, "the capsule beside the admission is "
                    + digest + ", the admission names " + a.signedCapsuleDigest());
        }
        JsonNode tree = StrictJson.readTree(capsule, StrictJson.SIGNED.withMaxBytes(MAX_RECORD_BYTES));
        return new Admission(a.schema, a.verdict, a.reason, a.detail, a.capsuleId, a.capsuleDigest, a.environment,
                a.tier, a.effectiveMode, a.policyVersion, a.lineage, a.sequence, a.approvers, a.decidedAt, a.gateway,
                a.signedCapsuleDigest, tree);
    }

    private static Admission verifyV1(byte[] envelopeBytes, KeyRing gatewayKeys) throws VerificationException {
        Envelope env = Envelope.parse(envelopeBytes, StrictJson.SIGNED.withMaxBytes(MAX_RECORD_BYTES));
        env.requirePayloadType(PayloadTypes.ADMISSION);
        requireGatewaySignature(env, gatewayKeys);
        return bind(env, SCHEMA);
    }

    private static void requireGatewaySignature(Envelope env, KeyRing gatewayKeys) throws VerificationException {
        Dsse.Result r = Dsse.verify(env, gatewayKeys);
        if (!r.anyVerified()) {
            throw new VerificationException(r.anyKnownKey() ? ReasonCode.SIGNATURE_INVALID : ReasonCode.UNKNOWN_KEY,
                    "admission is not signed by the gateway");
        }
    }

    private static Admission bind(Envelope env, String schema) throws VerificationException {
        Admission a = StrictJson.read(env.payloadBytes(), Admission.class,
                StrictJson.SIGNED.withMaxBytes(MAX_RECORD_BYTES));
        if (!schema.equals(a.schema())) {
            throw new VerificationException(ReasonCode.MALFORMED, "payload type " + env.payloadType()
                    + " carries schema " + a.schema());
        }
        return a;
    }

    /** The index just past the JSON object that starts at {@code start}, found without building anything. */
    private static int endOfObject(byte[] b, int start) throws VerificationException {
        try (JsonParser p = StrictJson.mapper().getFactory().createParser(b)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
                    || p.nextToken() != JsonToken.START_OBJECT || p.currentTokenLocation().getByteOffset() != start) {
                throw new VerificationException(ReasonCode.MALFORMED, "not an admission record");
            }
            p.skipChildren();
            long end = p.currentLocation().getByteOffset();
            if (end <= start || end > b.length || b[(int) end - 1] != '}') {
                throw new VerificationException(ReasonCode.MALFORMED, "not an admission record");
            }
            return (int) end;
        } catch (IOException e) {
            throw new VerificationException(ReasonCode.MALFORMED, "not an admission record: invalid JSON");
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return regionEquals(b, 0, prefix);
    }

    private static boolean regionEquals(byte[] b, int at, byte[] part) {
        return b.length - at >= part.length && Arrays.equals(b, at, at + part.length, part, 0, part.length);
    }

    public static KeyRing ring(PublicKeyHandle... gatewayKeys) {
        return KeyRing.of(gatewayKeys);
    }
}
