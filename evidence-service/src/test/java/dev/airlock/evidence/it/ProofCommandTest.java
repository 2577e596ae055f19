package dev.airlock.evidence.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.cli.AirlockCli;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.Stack;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code airlock evidence proof} (the CLI's main class, in-process) against this service on the test's HTTP port,
 * and offline against an export file.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class ProofCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectKafkaBroker
    KafkaBroker broker;

    @TestHTTPResource("/")
    URL url;

    @TempDir
    Path tmp;

    record Run(int exit, JsonNode json, String err) {
    }

    static Run airlock(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AirlockCli.run(args, new PrintWriter(out), new PrintWriter(err), Map.of(), TestPki.clock());
        String o = out.toString().strip();
        return new Run(code, o.isEmpty() ? null : JSON.readTree(o), err.toString());
    }

    private String log() {
        String u = url.toString();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    @Test
    void aCapsulesEvidenceIsProvenAgainstTheSignedCheckpoint() throws Exception {
        byte[] bundle = Fixtures.bundle("cli-proof-1", Fixtures.LOCAL_ENV, "APPLIED");
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "cli-proof-1", bundle);
        }
        long index = Api.awaitEntries("cli-proof-1", 1);
        Api.checkpoint();
        Path policy = Files.write(tmp.resolve("policy.dsse.json"), Fixtures.policyBytes());

        Run r = airlock("evidence", "proof", "--log", log(), "--capsule", "cli-proof-1", "--policy", policy.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("verified", r.json().get("verdict").asText());
        assertEquals(Fixtures.LOG, r.json().get("log").asText());
        assertEquals(index, r.json().get("logIndex").asLong());
        assertEquals(Hex.encode(MerkleHash.leafHash(bundle)), r.json().get("leafHash").asText());
        assertEquals("runner.edge-7", r.json().get("signer").asText());
        assertEquals("file", r.json().get("policySource").asText());

        // The contract line alone: the log's own policy, trusted on first use, with a warning.
        Run bare = airlock("evidence", "proof", "--log", log(), "--capsule", "cli-proof-1");
        assertEquals(0, bare.exit(), bare::toString);
        assertEquals("log", bare.json().get("policySource").asText());
        assertTrue(bare.err().contains("trust on first use"), bare.err());

        // E.24: a policy whose evidence principal has another key, and a checkpoint of another log.
        Policy p = Fixtures.policy(1);
        List<Policy.Principal> principals = new ArrayList<>();
        for (Policy.Principal x : p.principals()) {
            principals.add(x.id().equals(Fixtures.LOG) ? new Policy.Principal(x.id(), x.kind(), x.roles(),
                    List.of(TestPki.ref(TestPki.key("impostor")))) : x);
        }
        Path other = Files.write(tmp.resolve("other.dsse.json"), Fixtures.PKI.signPolicy(new Policy(p.schema(), 1,
                p.issuedAt(), p.expiresAt(), p.root(), principals, p.tiers(), p.environments()),
                Fixtures.PKI.root(1), Fixtures.PKI.root(2)));
        Run wrongKey = airlock("evidence", "proof", "--log", log(), "--capsule", "cli-proof-1", "--policy",
                other.toString());
        assertEquals(3, wrongKey.exit(), wrongKey::toString);
        assertEquals("UNKNOWN_KEY", wrongKey.json().get("reason").asText());
        Run otherLog = airlock("evidence", "proof", "--log", log(), "--capsule", "cli-proof-1", "--policy",
                policy.toString(), "--log-id", "evidence.enclave-2");
        assertEquals(3, otherLog.exit(), otherLog::toString);
        assertEquals("DIGEST_MISMATCH", otherLog.json().get("reason").asText());

        Run unknown = airlock("evidence", "proof", "--log", log(), "--capsule", "never-seen", "--policy",
                policy.toString());
        assertEquals(3, unknown.exit(), unknown::toString);
        assertEquals("NOT_IN_LOG", unknown.json().get("reason").asText());

        Run down = airlock("evidence", "proof", "--log", "http://127.0.0.1:9", "--capsule", "x", "--policy",
                policy.toString());
        assertEquals(2, down.exit(), down::toString);
        assertTrue(down.err().contains("cannot fetch"), down.err());
        assertFalse(down.err().contains("Exception"), down.err());
    }

    @Test
    void anExportFileVerifiesOfflineAndAnEditedOneDoesNot() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "cli-export-1", Fixtures.bundle("cli-export-1", Fixtures.SANITIZED_ENV,
                    "APPLIED"));
        }
        Api.awaitEntries("cli-export-1", 1);
        byte[] export = RestAssured.get("/api/export?environment=" + Fixtures.SANITIZED_ENV).then().statusCode(200)
                .extract().asByteArray();
        Path file = Files.write(tmp.resolve("export.json"), export);
        Path policy = Files.write(tmp.resolve("policy.dsse.json"), Fixtures.policyBytes());

        Run ok = airlock("evidence", "proof", "--export", file.toString(), "--policy", policy.toString());
        assertEquals(0, ok.exit(), ok::toString);
        int entries = ok.json().get("entries").asInt();
        assertTrue(entries >= 1, ok::toString);
        assertEquals(Fixtures.SANITIZED_ENV, ok.json().get("environment").asText());

        // Claim that the projection belongs to another leaf: the signed projection says otherwise.
        JsonNode tree = JSON.readTree(export);
        ObjectNode e0 = (ObjectNode) tree.get("entries").get(0);
        e0.put("logIndex", e0.get("logIndex").asLong() + 1);
        Path edited = Files.write(tmp.resolve("edited.json"), JSON.writeValueAsBytes(tree));
        Run bad = airlock("evidence", "proof", "--export", edited.toString(), "--policy", policy.toString());
        assertEquals(3, bad.exit(), bad::toString);
        assertEquals("DIGEST_MISMATCH", bad.json().get("reason").asText());

        Run noPolicy = airlock("evidence", "proof", "--export", file.toString());
        assertEquals(2, noPolicy.exit(), noPolicy::toString);
        assertTrue(noPolicy.err().contains("--export needs --policy"), noPolicy.err());
    }
}
