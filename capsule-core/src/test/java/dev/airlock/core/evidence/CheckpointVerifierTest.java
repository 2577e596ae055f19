package dev.airlock.core.evidence;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.merkle.InMemoryMerkleLog;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.evidence.merkle.MerkleTree;
import dev.airlock.core.evidence.merkle.ProofError;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** SECURITY-TESTS E.24-E.26 at the level of the shared verifier (the CLI and the service use this code). */
class CheckpointVerifierTest {
    static final String LOG = "evidence.enclave-1";
    final TestPki pki = new TestPki();
    final TrustedPolicy policy = pki.trusted();
    final InMemoryMerkleLog log = new InMemoryMerkleLog();

    CheckpointVerifierTest() {
        for (int i = 0; i < 13; i++) {
            log.append(entry(i));
        }
    }

    static byte[] entry(int i) {
        return ("{\"entry\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    byte[] signed(long size, SigningKey key, String logId) throws Exception {
        return Checkpoint.of(logId, size, log.tree().rootHash(size), TestPki.NOW).sign(key).toJson();
    }

    @Test
    void aProofVerifiesAgainstASignedCheckpointOfThisLog() throws Exception {
        var cp = CheckpointVerifier.verify(signed(13, pki.of(LOG), LOG), policy, LOG);
        assertEquals(LOG, cp.signer());
        assertEquals(13, cp.checkpoint().size());
        CheckpointVerifier.verifyInclusion(cp, MerkleHash.leafHash(entry(5)), 5, log.tree().inclusionProof(5, 13));
    }

    @Test
    void checkpointsSignedByAnyoneButTheEvidencePrincipalAreRefused() throws Exception {
        // E.24: a runner's key is in the policy but holds no evidence role.
        var byRunner = assertThrows(VerificationException.class,
                () -> CheckpointVerifier.verify(signed(13, pki.of("runner.edge-7"), LOG), policy, LOG));
        assertEquals(ReasonCode.ROLE_MISSING, byRunner.reason());
        var byStranger = assertThrows(VerificationException.class,
                () -> CheckpointVerifier.verify(signed(13, TestPki.key("stranger"), LOG), policy, LOG));
        assertEquals(ReasonCode.UNKNOWN_KEY, byStranger.reason());
        // Payload edited after signing.
        Envelope good = Envelope.parse(signed(13, pki.of(LOG), LOG));
        String edited = new String(good.payloadBytes(), StandardCharsets.UTF_8).replace("\"size\":13", "\"size\":12");
        Envelope forged = Envelope.of(good.payloadType(), edited.getBytes(StandardCharsets.UTF_8), good.signatures());
        assertEquals(ReasonCode.SIGNATURE_INVALID, assertThrows(VerificationException.class,
                () -> CheckpointVerifier.verify(forged.toJson(), policy, LOG)).reason());
    }

    @Test
    void aCheckpointOfAnotherLogIsAMixAndMatch() throws Exception {
        SigningKey other = TestPki.key("evidence.enclave-2");
        Policy p = pki.policy(1);
        List<Policy.Principal> principals = new ArrayList<>(p.principals());
        principals.add(new Policy.Principal("evidence.enclave-2", "evidence", List.of("evidence"),
                List.of(TestPki.ref(other))));
        TrustedPolicy two = TestPki.trust(pki.signPolicy(new Policy(p.schema(), 1, p.issuedAt(), p.expiresAt(), p.root(),
                principals, p.tiers(), p.environments()), pki.root(1), pki.root(2)));
        var e = assertThrows(VerificationException.class,
                () -> CheckpointVerifier.verify(signed(13, other, "evidence.enclave-2"), two, LOG));
        assertEquals(ReasonCode.DIGEST_MISMATCH, e.reason());
        // A log name that is not the signer's own.
        assertEquals(ReasonCode.UNKNOWN_KEY, assertThrows(VerificationException.class,
                () -> CheckpointVerifier.verify(signed(13, other, LOG), two, null)).reason());
    }

    @Test
    void proofsThatDoNotFitTheCheckpointAreRefused() throws Exception {
        var cp = CheckpointVerifier.verify(signed(13, pki.of(LOG), LOG), policy, LOG);
        MerkleTree tree = log.tree();
        List<byte[]> proof = tree.inclusionProof(5, 13);
        byte[] leaf = MerkleHash.leafHash(entry(5));
        // E.25: index ≥ size, one hash short or long, an interior node presented as a leaf.
        assertEquals(ProofError.INDEX_OUT_OF_RANGE, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyInclusion(cp, leaf, 13, proof)).error());
        assertEquals(ProofError.PROOF_TOO_SHORT, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyInclusion(cp, leaf, 5, proof.subList(0, proof.size() - 1))).error());
        List<byte[]> longer = new ArrayList<>(proof);
        longer.add(new byte[32]);
        assertEquals(ProofError.PROOF_TOO_LONG, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyInclusion(cp, leaf, 5, longer)).error());
        byte[] interior = tree.subtreeHash(1, 2); // leaves 4 and 5
        List<byte[]> fromInterior = tree.inclusionProof(5, 13).subList(1, proof.size());
        assertThrows(ProofException.class, () -> CheckpointVerifier.verifyInclusion(cp, interior, 2, fromInterior));
        // A proof for a tree the checkpoint does not sign (a stale or self-made root).
        assertEquals(ProofError.ROOT_MISMATCH, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyInclusion(cp, leaf, 5, tree.inclusionProof(5, 12))).error());
    }

    @Test
    void consecutiveCheckpointsAreConsistentAndAForkIsDetected() throws Exception {
        var c8 = CheckpointVerifier.verify(signed(8, pki.of(LOG), LOG), policy, LOG);
        var c13 = CheckpointVerifier.verify(signed(13, pki.of(LOG), LOG), policy, LOG);
        CheckpointVerifier.verifyConsistency(c8, c13, log.tree().consistencyProof(8, 13));

        InMemoryMerkleLog fork = new InMemoryMerkleLog();
        for (int i = 0; i < 13; i++) {
            fork.append(i == 3 ? "{\"entry\":\"rewritten\"}".getBytes(StandardCharsets.UTF_8) : entry(i));
        }
        var f13 = CheckpointVerifier.verify(Checkpoint.of(LOG, 13, fork.tree().rootHash(13), TestPki.NOW)
                .sign(pki.of(LOG)).toJson(), policy, LOG);
        assertEquals(ProofError.ROOT_MISMATCH, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyConsistency(c8, f13, fork.tree().consistencyProof(8, 13))).error());
        assertEquals(ProofError.SIZE_DECREASED, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyConsistency(c13, c8, List.of())).error());
    }

    @Test
    void sanitizedEvidenceVerifiesOnlyUnderTheEvidenceKey() throws Exception {
        var statement = JsonNodeFactory.instance.objectNode().put("_type", Statement.TYPE);
        SanitizedEvidence s = new SanitizedEvidence(SanitizedEvidence.SCHEMA, LOG, 4, "ab".repeat(32), "c-1",
                TestPki.PROD, 1, List.of("/predicate/outcome"), statement);
        var v = SanitizedEvidence.verify(s.sign(pki.of(LOG)).toJson(), policy);
        assertEquals(4, v.evidence().logIndex());
        assertEquals(ReasonCode.ROLE_MISSING, assertThrows(VerificationException.class,
                () -> SanitizedEvidence.verify(s.sign(pki.of("runner.edge-7")).toJson(), policy)).reason());
    }
}
