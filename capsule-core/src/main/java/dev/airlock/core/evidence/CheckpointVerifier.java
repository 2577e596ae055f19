package dev.airlock.core.evidence;

import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.evidence.merkle.MerkleVerifier;
import dev.airlock.core.evidence.merkle.ProofError;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies signed checkpoints of the evidence log and proofs against them (SECURITY-TESTS E.24-E.26). The one place
 * a root hash is trusted: a proof is only ever checked against the root of a checkpoint whose signature verified
 * here, never against a root the proof's sender supplies alongside it.
 *
 * <p>Order (verify before parse): payload type, signature over the exact bytes by a key of a principal holding the
 * {@code evidence} role, strict parsing, then that the checkpoint names the signing principal as its {@code log}
 * (a log is named by the evidence principal that keeps it), then the log the caller expects, if it names one.
 */
public final class CheckpointVerifier {
    /** The role whose keys sign checkpoints, sanitized projections and purge records. */
    public static final String SIGNER_ROLE = "evidence";

    private CheckpointVerifier() {
    }

    /** A checkpoint whose signature verified, with the principal that signed it. */
    public record Verified(Checkpoint checkpoint, String signer, Envelope envelope) {
    }

    /**
     * @param expectedLog the log the caller asked about, or null to accept any evidence principal's log
     * @throws VerificationException MALFORMED, UNKNOWN_KEY, SIGNATURE_INVALID, ROLE_MISSING, or DIGEST_MISMATCH for a
     *                               checkpoint of another log (a mix-and-match, like approvals of another capsule)
     */
    public static Verified verify(byte[] envelopeBytes, TrustedPolicy policy, String expectedLog)
            throws VerificationException {
        Envelope env = Envelope.parse(envelopeBytes, StrictJson.SIGNED.withMaxBytes(64L * 1024));
        env.requirePayloadType(PayloadTypes.CHECKPOINT);
        String signer = requireEvidenceSigner(env, policy, "checkpoint");
        Checkpoint cp = StrictJson.read(env.payloadBytes(), Checkpoint.class, StrictJson.SIGNED.withMaxBytes(64L * 1024));
        if (!cp.log().equals(signer)) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY, "checkpoint names log '" + cp.log()
                    + "' but is signed by the key of '" + signer + "'");
        }
        if (expectedLog != null && !expectedLog.equals(cp.log())) {
            throw new VerificationException(ReasonCode.DIGEST_MISMATCH, "checkpoint is of log '" + cp.log()
                    + "', expected log '" + expectedLog + "'");
        }
        return new Verified(cp, signer, env);
    }

    /**
     * Checks that {@code env} carries a valid signature by a key of a principal holding the {@code evidence} role and
     * returns that principal's id. Used for checkpoints, sanitized projections and purge records.
     */
    public static String requireEvidenceSigner(Envelope env, TrustedPolicy policy, String what)
            throws VerificationException {
        Dsse.Result r = Dsse.verify(env, policy.ringForRole(SIGNER_ROLE));
        if (!r.anyVerified()) {
            Dsse.Result any = Dsse.verify(env, policy.principalRing());
            if (any.anyVerified()) {
                Set<String> who = new LinkedHashSet<>();
                any.verifiedKeys().forEach(k -> who.addAll(policy.ownersOf(k)));
                throw new VerificationException(ReasonCode.ROLE_MISSING,
                        what + " is signed by " + who + ", which holds no evidence role");
            }
            throw r.anyKnownKey()
                    ? new VerificationException(ReasonCode.SIGNATURE_INVALID, what + " signature does not verify")
                    : new VerificationException(ReasonCode.UNKNOWN_KEY,
                    what + " is signed by no key of policy version " + policy.version());
        }
        Set<String> signers = new LinkedHashSet<>();
        for (PublicKeyHandle k : r.verifiedKeys()) {
            for (String p : policy.ownersOf(k)) {
                if (policy.principal(p).map(x -> x.hasRole(SIGNER_ROLE)).orElse(false)) {
                    signers.add(p);
                }
            }
        }
        if (signers.size() != 1) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY,
                    what + " is signed by a key shared by several evidence principals " + signers);
        }
        return signers.iterator().next();
    }

    /**
     * Checks that {@code leafHash} is leaf {@code index} of the tree the verified checkpoint signs (RFC 9162 §2.1.3.2,
     * with the checkpoint's size and root).
     */
    public static void verifyInclusion(Verified checkpoint, byte[] leafHash, long index, List<byte[]> proof)
            throws ProofException {
        Checkpoint cp = checkpoint.checkpoint();
        MerkleVerifier.verifyInclusion(leafHash, index, cp.size(), proof, cp.root());
    }

    /**
     * Checks that the log of {@code newer} extends the log of {@code older} (RFC 9162 §2.1.4.2): same log, size never
     * down, same first entries in the same order. A fork or a truncation fails with {@link ProofError#ROOT_MISMATCH}
     * or {@link ProofError#SIZE_DECREASED}.
     */
    public static void verifyConsistency(Verified older, Verified newer, List<byte[]> proof) throws ProofException {
        Checkpoint a = older.checkpoint();
        Checkpoint b = newer.checkpoint();
        if (!a.log().equals(b.log())) {
            throw new ProofException(ProofError.MALFORMED, String.format(Locale.ROOT,
                    "checkpoints of two logs ('%s', '%s') have no consistency to prove", a.log(), b.log()));
        }
        MerkleVerifier.verifyConsistency(a.size(), b.size(), proof, a.root(), b.root());
    }
}
