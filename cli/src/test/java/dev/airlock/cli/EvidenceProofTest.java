package dev.airlock.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.Checkpoint;
import dev.airlock.core.evidence.EvidenceExport;
import dev.airlock.core.evidence.SanitizedEvidence;
import dev.airlock.core.evidence.merkle.InMemoryMerkleLog;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.airlock.cli.Flow.assertVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * airlock evidence proof --export: an export file checked offline against the policy (the online mode runs against a
 * live evidence service in evidence-service's ProofCommandTest).
 */
class EvidenceProofTest {
    static final String LOG = "evidence.enclave-1";
    final TestPki pki = new TestPki();

    @TempDir
    Path tmp;

    /** A log of five entries; entries 1 and 3 exported with their proofs against a checkpoint of size 5. */
    private EvidenceExport export(SigningKey checkpointKey, SigningKey projectionKey, boolean shortProof)
            throws Exception {
        InMemoryMerkleLog log = new InMemoryMerkleLog();
        for (int i = 0; i < 5; i++) {
            log.append(("{\"bundle\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        Envelope cp = Checkpoint.of(LOG, 5, log.tree().rootHash(5), TestPki.NOW).sign(checkpointKey);
        List<EvidenceExport.Entry> entries = new ArrayList<>();
        for (int i : new int[] {1, 3}) {
            String leaf = Hex.encode(log.leafHash(i));
            ObjectNode statement = JsonNodeFactory.instance.objectNode().put("_type", "https://in-toto.io/Statement/v1");
            Envelope s = new SanitizedEvidence(SanitizedEvidence.SCHEMA, LOG, i, leaf, "c-" + i, TestPki.PROD, 1,
                    List.of("/predicate/outcome"), statement).sign(projectionKey);
            List<String> proof = log.tree().inclusionProof(i, 5).stream().map(Hex::encode).toList();
            entries.add(new EvidenceExport.Entry(i, leaf, shortProof ? proof.subList(1, proof.size()) : proof, s));
        }
        return new EvidenceExport(EvidenceExport.SCHEMA, LOG, TestPki.PROD, null, TestPki.NOW, cp, entries);
    }

    private Path write(String name, EvidenceExport e) throws Exception {
        return Files.write(tmp.resolve(name), StrictJson.writePretty(e));
    }

    private Path policy() throws Exception {
        return Files.write(tmp.resolve("policy.dsse.json"), pki.signPolicy(pki.policy(1), pki.root(1), pki.root(2)));
    }

    @Test
    void anExportVerifiesOfflineAgainstThePolicy() throws Exception {
        Path file = write("export.json", export(pki.of(LOG), pki.of(LOG), false));
        Cli.Run r = Cli.run("evidence", "proof", "--export", file.toString(), "--policy", policy().toString());
        r.assertExit(0).assertNoStackTrace();
        assertEquals("verified", r.verdict());
        assertEquals(2, r.json().get("entries").asInt());
        assertEquals(5, r.json().get("treeSize").asInt());
        assertEquals(LOG, r.json().get("log").asText());
    }

    @Test
    void aCheckpointOrProjectionNotSignedByTheEvidencePrincipalIsRejected() throws Exception {
        Path byRunner = write("runner-cp.json", export(pki.of("runner.edge-7"), pki.of(LOG), false));
        assertVerdict(Cli.run("evidence", "proof", "--export", byRunner.toString(), "--policy", policy().toString()),
                3, "rejected", "ROLE_MISSING");
        Path stranger = write("stranger.json", export(pki.of(LOG), TestPki.key("stranger"), false));
        assertVerdict(Cli.run("evidence", "proof", "--export", stranger.toString(), "--policy", policy().toString()),
                3, "rejected", "UNKNOWN_KEY");
        Path otherLog = write("export.json", export(pki.of(LOG), pki.of(LOG), false));
        assertVerdict(Cli.run("evidence", "proof", "--export", otherLog.toString(), "--policy", policy().toString(),
                "--log-id", "evidence.enclave-2"), 3, "rejected", "DIGEST_MISMATCH");
    }

    @Test
    void aProofOneHashShortIsRejected() throws Exception {
        Path file = write("short.json", export(pki.of(LOG), pki.of(LOG), true));
        Cli.Run r = Cli.run("evidence", "proof", "--export", file.toString(), "--policy", policy().toString());
        assertVerdict(r, 3, "rejected", "PROOF_TOO_SHORT");
        assertTrue(r.json().get("detail").asText().contains("leaf 1"), r::toString);
    }

    @Test
    void usageAndUnreachableLogsAreInputErrors() throws Exception {
        Cli.Run help = Cli.run("evidence", "proof", "--help").assertExit(0);
        for (String opt : List.of("--log", "--capsule", "--export", "--policy", "--log-id")) {
            assertTrue(help.out().contains(opt), () -> opt + " missing from\n" + help.out());
        }
        Cli.run("evidence", "proof", "--log", "http://127.0.0.1:8083").assertExit(2);
        Cli.Run down = Cli.run("evidence", "proof", "--log", "http://127.0.0.1:9", "--capsule", "c-1", "--policy",
                policy().toString()).assertExit(2).assertNoStackTrace();
        assertTrue(down.err().contains("cannot fetch"), down::toString);
        Cli.Run missing = Cli.run("evidence", "proof", "--export", tmp.resolve("none.json").toString(), "--policy",
                policy().toString()).assertExit(2);
        assertTrue(missing.err().contains("does not exist"), missing::toString);
    }
}
