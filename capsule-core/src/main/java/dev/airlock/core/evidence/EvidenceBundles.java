package dev.airlock.core.evidence;

import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Signing and verifying evidence bundles (ARCHITECTURE §3.5): an in-toto Statement v1 in a DSSE envelope, signed by
 * a runner (or by the gateway for admission rejections). The envelope is plain DSSE, so independent verifiers
 * (securesystemslib, in-toto, {@code openssl} over the PAE) check it too.
 */
public final class EvidenceBundles {
    /** Roles whose keys may sign full evidence bundles. */
    public static final List<String> SIGNER_ROLES = List.of("runner", "gateway");

    private EvidenceBundles() {
    }

    public static Envelope sign(Statement statement, SigningKey key) {
        return Dsse.sign(PayloadTypes.IN_TOTO, StrictJson.write(statement), key);
    }

    /** A verified bundle: the statement, the principal whose key signed it and the envelope as received. */
    public record Verified(Statement statement, String signer, Envelope envelope) {
    }

    /**
     * Verifies a bundle against the keys of the policy: signature over the exact bytes by a key of a principal holding
     * a runner or gateway role first, then strict parsing, then that the predicate names that principal as its runner.
     *
     * @throws VerificationException TOO_LARGE, MALFORMED, UNKNOWN_KEY, SIGNATURE_INVALID or ROLE_MISSING
     */
    public static Verified verify(byte[] bundle, TrustedPolicy policy) throws VerificationException {
        Envelope env = Envelope.parse(bundle, StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024));
        env.requirePayloadType(PayloadTypes.IN_TOTO);
        Dsse.Result r = Dsse.verify(env, policy.principalRing());
        if (!r.anyVerified()) {
            throw r.anyKnownKey()
                    ? new VerificationException(ReasonCode.SIGNATURE_INVALID, "evidence signature does not verify")
                    : new VerificationException(ReasonCode.UNKNOWN_KEY,
                    "evidence is signed by no key of policy version " + policy.version());
        }
        Statement st = StrictJson.read(env.payloadBytes(), Statement.class,
                StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024));
        Set<String> signers = new LinkedHashSet<>();
        for (PublicKeyHandle k : r.verifiedKeys()) {
            signers.addAll(policy.ownersOf(k));
        }
        String claimed = st.predicate().runner().id();
        if (!signers.contains(claimed)) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY,
                    "evidence names '" + claimed + "' as its producer but is signed by " + signers);
        }
        Policy.Principal p = policy.principal(claimed).orElseThrow();
        if (SIGNER_ROLES.stream().noneMatch(p::hasRole)) {
            throw new VerificationException(ReasonCode.ROLE_MISSING,
                    "'" + claimed + "' holds neither the runner nor the gateway role");
        }
        return new Verified(st, claimed, env);
    }

    /** Checks that a verified bundle is about {@code capsuleDigest} (SECURITY-TESTS E.28). */
    public static void requireSubject(Verified v, String capsuleDigest) throws VerificationException {
        if (!v.statement().capsuleDigest().equals(capsuleDigest)) {
            throw new VerificationException(ReasonCode.DIGEST_MISMATCH, "evidence subject is "
                    + v.statement().capsuleDigest() + ", expected " + capsuleDigest);
        }
    }

    /** Keys allowed to sign full bundles under {@code policy}. */
    public static KeyRing signerRing(TrustedPolicy policy) {
        Set<PublicKeyHandle> keys = new LinkedHashSet<>();
        for (String role : SIGNER_ROLES) {
            keys.addAll(policy.ringForRole(role).keys());
        }
        return new KeyRing(keys);
    }
}
