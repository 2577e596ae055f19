package dev.airlock.core.evidence;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.Checks;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.List;
import java.util.Objects;

/**
 * The sanitized projection of one evidence bundle (ARCHITECTURE §3.1 {@code egress.mode: sanitized}), payload of a
 * DSSE envelope of type {@code application/vnd.airlock.evidence-sanitized.v1+json} signed by the evidence key and
 * published on {@code airlock.evidence.sanitized.v1} (and in export files).
 *
 * <p>{@code statement} is the bundle's in-toto Statement with {@code _type}, {@code subject}, {@code predicateType}
 * and {@code predicate.capsuleId} in clear, every other scalar of {@code predicate} replaced by
 * {@code {"redacted":"sha256:<hex of the RFC 8785 JSON of the value>"}} unless a JSON pointer of
 * {@code sanitizedAllow} ({@code *} = any one key or array index) matches it or one of its ancestors.
 * {@code logIndex}/{@code leafHash} tie it to the full bundle's leaf in the log, so an inclusion proof against a signed
 * checkpoint shows the original is in the log without revealing it.
 */
@JsonPropertyOrder({"schema", "log", "logIndex", "leafHash", "capsuleId", "environment", "policyVersion",
        "sanitizedAllow", "statement"})
public record SanitizedEvidence(String schema, String log, long logIndex, String leafHash, String capsuleId,
                                String environment, long policyVersion, List<String> sanitizedAllow,
                                JsonNode statement) {
    public static final String SCHEMA = "airlock.evidence.sanitized/v1";
    private static final StrictJson.Limits LIMITS = StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024);

    public SanitizedEvidence {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        Checks.ident(log, "log");
        if (logIndex < 0) {
            throw new IllegalArgumentException("logIndex must be ≥ 0");
        }
        Checkpoint.requireHash(leafHash, "leafHash");
        Checks.required(capsuleId, "capsuleId");
        Checks.required(environment, "environment");
        sanitizedAllow = sanitizedAllow == null ? List.of() : List.copyOf(sanitizedAllow);
        Objects.requireNonNull(statement, "statement is required");
        if (!statement.isObject()) {
            throw new IllegalArgumentException("statement must be an object");
        }
    }

    public Envelope sign(SigningKey evidenceKey) {
        return Dsse.sign(PayloadTypes.SANITIZED_EVIDENCE, StrictJson.write(this), evidenceKey);
    }

    /** A projection whose evidence-key signature verified. */
    public record Verified(SanitizedEvidence evidence, String signer, Envelope envelope) {
    }

    /**
     * Verifies the re-signature (a key of an {@code evidence} principal of {@code policy}, over the exact bytes) before
     * parsing; the projection must name its signer as its log.
     */
    public static Verified verify(byte[] envelopeBytes, TrustedPolicy policy) throws VerificationException {
        return verify(Envelope.parse(envelopeBytes, LIMITS), policy);
    }

    public static Verified verify(Envelope env, TrustedPolicy policy) throws VerificationException {
        env.requirePayloadType(PayloadTypes.SANITIZED_EVIDENCE);
        String signer = CheckpointVerifier.requireEvidenceSigner(env, policy, "sanitized evidence");
        SanitizedEvidence s = StrictJson.read(env.payloadBytes(), SanitizedEvidence.class, LIMITS);
        if (!s.log().equals(signer)) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY, "sanitized evidence names log '" + s.log()
                    + "' but is signed by the key of '" + signer + "'");
        }
        return new Verified(s, signer, env);
    }
}
