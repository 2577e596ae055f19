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

import java.time.Instant;
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
