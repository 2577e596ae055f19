package dev.airlock.cli;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.airlock.cli.Flow.assertVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** airlock evidence verify: runner/gateway signature under the policy, statement shape, subject binding. */
class EvidenceVerifyTest {
    @TempDir
    Path tmp;
    Flow flow;
    Path policy;
    Path signed;
    Envelope capsule;

    @BeforeEach
    void setUp() throws Exception {
        flow = new Flow(tmp).standardKeys();
        policy = flow.standardPolicy();
        signed = flow.admissible();
        capsule = Envelope.parse(java.nio.file.Files.readAllBytes(flow.file("capsule.dsse.json")));
    }

    /** A bundle as a runner signs it, with the runner's key file written by airlock keys generate. */
    private Path bundle(String name, String signerKey, String runnerId, String capsuleDigest) throws Exception {
        EvidencePredicate p = new EvidencePredicate("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01", Flow.ENV, "T2", null, "apply",
                new EvidencePredicate.Component(runnerId, "0.1.0"), "APPLIED",
                new EvidencePredicate.Admission("admitted", null, 1L,
                        List.of(new EvidencePredicate.Approver("alice", "service-owner", null))),
                null, null, List.of(), new EvidencePredicate.RollbackRecord(true, true, true), null,
                TestPki.NOW, TestPki.NOW.plus(Duration.ofSeconds(42)));
        Envelope env = EvidenceBundles.sign(Statement.of(capsuleDigest, p), KeyFiles.readPrivate(flow.key(signerKey)));
        return flow.write(name, env.toJson());
    }

    @Test
    void aRunnersBundleVerifiesAndIsBoundToItsCapsule() throws Exception {
        Path b = bundle("bundle.dsse.json", "runner.edge-7", "runner.edge-7", capsule.payloadDigest());

        Cli.Run plain = Cli.run("evidence", "verify", "--bundle", b.toString(), "--policy", policy.toString());
        plain.assertExit(0).assertNoStackTrace();
        assertEquals("verified", plain.verdict());
        assertEquals("runner.edge-7", plain.json().get("signer").asText());
        assertEquals("APPLIED", plain.json().get("outcome").asText());
        assertFalse(plain.json().get("subjectChecked").asBoolean());

        Cli.Run bound = Cli.run("evidence", "verify", "--bundle", b.toString(), "--policy", policy.toString(),
                "--capsule", signed.toString()).assertExit(0);
        assertTrue(bound.json().get("subjectChecked").asBoolean(), bound::toString);
        assertEquals(capsule.payloadDigest(), bound.json().get("capsuleDigest").asText());
    }

    @Test
    void evidenceAboutAnotherCapsuleIsADigestMismatch() throws Exception {
        Path b = bundle("other.dsse.json", "runner.edge-7", "runner.edge-7", "sha256:" + "ab".repeat(32));

        Cli.Run r = Cli.run("evidence", "verify", "--bundle", b.toString(), "--policy", policy.toString(),
                "--capsule", signed.toString());

        assertVerdict(r, 3, "rejected", "DIGEST_MISMATCH");
    }

    @Test
    void onlyRunnersAndGatewaysSignEvidence() throws Exception {
        Path byAlice = bundle("alice.dsse.json", "alice", "alice", capsule.payloadDigest());
        assertVerdict(Cli.run("evidence", "verify", "--bundle", byAlice.toString(), "--policy", policy.toString()),
                3, "rejected", "ROLE_MISSING");

        // Signed by alice, claiming to come from the runner.
        Path claimed = bundle("claimed.dsse.json", "alice", "runner.edge-7", capsule.payloadDigest());
        assertVerdict(Cli.run("evidence", "verify", "--bundle", claimed.toString(), "--policy", policy.toString()),
                3, "rejected", "UNKNOWN_KEY");
    }

    @Test
    void aTamperedBundleDoesNotVerify() throws Exception {
        Path b = bundle("bundle.dsse.json", "runner.edge-7", "runner.edge-7", capsule.payloadDigest());
        Envelope env = Envelope.parse(java.nio.file.Files.readAllBytes(b));
        String tampered = new String(env.payloadBytes(), StandardCharsets.UTF_8).replace("APPLIED", "OBSERVED");
        Envelope forged = Envelope.of(env.payloadType(), tampered.getBytes(StandardCharsets.UTF_8), env.signatures());
        Path f = flow.write("forged.dsse.json", forged.toJson());

        assertVerdict(Cli.run("evidence", "verify", "--bundle", f.toString(), "--policy", policy.toString()),
                3, "rejected", "SIGNATURE_INVALID");
    }
}
