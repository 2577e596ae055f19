package dev.airlock.evidence.it;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.CheckpointVerifier;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.evidence.merkle.ProofError;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.json.StrictJson;
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
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log with a real broker and a real PostgreSQL: appends exactly as received, quarantine with reasons,
 * de-duplication, and SECURITY-TESTS E.24-E.26 and E.28 through the REST API.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class EvidenceLogTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    private void send(String key, byte[] value) {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, key, value);
        }
    }

    @Test
    void verifiedBundlesAreAppendedExactlyAsReceivedAndOnlyOnce() {
        byte[] a = Fixtures.bundle("log-append-a", Fixtures.LOCAL_ENV, "APPLIED");
        byte[] b = Fixtures.bundle("log-append-b", Fixtures.LOCAL_ENV, "ROLLED_BACK");
        send("log-append-a", a);
        send("log-append-a", a); // redelivered / replayed: same leaf hash, not appended twice
        send("log-append-b", b);
        long ib = Api.awaitEntries("log-append-b", 1);

        JsonPath entries = Api.json("/api/bundles/log-append-a");
        assertEquals(1, entries.getList("entries").size(), entries.prettify());
        assertArrayEquals(a, Api.entryBytes("log-append-a", 0));
        assertEquals(Hex.encode(MerkleHash.leafHash(a)), entries.getString("entries[0].leafHash"));
        assertEquals("runner.edge-7", entries.getString("entries[0].signer"));
        assertEquals("APPLIED", entries.getString("entries[0].outcome"));
        assertEquals("local-only", entries.getString("entries[0].egress"));
        assertTrue(entries.getLong("entries[0].logIndex") < ib, "appended in arrival order");

        JsonPath search = Api.json("/api/bundles?environment=" + Fixtures.LOCAL_ENV + "&outcome=ROLLED_BACK");
        assertTrue(search.getList("entries.capsuleId").contains("log-append-b"), search.prettify());
        RestAssured.get("/api/bundles?since=yesterday").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("RFC 3339"));
        RestAssured.get("/api/bundles/no-such-capsule").then().statusCode(404)
                .body("detail", containsString("no evidence for capsule 'no-such-capsule'"));
    }

    @Test
    void unverifiableBundlesAreQuarantinedWithTheirReasonNeverLogged() {
        String id = "log-quarantine";
        byte[] stranger = Fixtures.bundle(id, Fixtures.LOCAL_ENV, "APPLIED", "runner.edge-7",
                TestPki.key("stranger"));
        byte[] byAlice = Fixtures.bundle(id, Fixtures.LOCAL_ENV, "APPLIED", "alice", Fixtures.PKI.of("alice"));
        Envelope good = parse(Fixtures.bundle(id, Fixtures.LOCAL_ENV, "APPLIED"));
        byte[] tampered = Envelope.of(good.payloadType(), new String(good.payloadBytes(), StandardCharsets.UTF_8)
                .replace("APPLIED", "OBSERVED").getBytes(StandardCharsets.UTF_8), good.signatures()).toJson();
        // E.28: a wrong predicate type, and a subject naming another capsule, each validly signed by the runner.
        String statement = new String(good.payloadBytes(), StandardCharsets.UTF_8);
        byte[] wrongType = Dsse.sign(PayloadTypes.IN_TOTO, statement.replace("https://airlock.dev/evidence/v1",
                "https://slsa.dev/provenance/v1").getBytes(StandardCharsets.UTF_8), Fixtures.PKI.of("runner.edge-7"))
                .toJson();
        byte[] otherSubject = Dsse.sign(PayloadTypes.IN_TOTO, statement.replace("capsule:" + id, "capsule:other")
                .getBytes(StandardCharsets.UTF_8), Fixtures.PKI.of("runner.edge-7")).toJson();

        Map<String, byte[]> expected = Map.of("UNKNOWN_KEY", stranger, "ROLE_MISSING", byAlice,
                "SIGNATURE_INVALID", tampered, "MALFORMED", wrongType);
        expected.values().forEach(v -> send(id, v));
        send(id, otherSubject);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Map<String, Object>> q = Api.json("/api/quarantine").getList("$");
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                assertTrue(q.stream().anyMatch(r -> e.getKey().equals(r.get("reason"))
                        && Hex.digest(e.getValue()).equals(r.get("sha256"))), e.getKey() + " in " + q);
            }
            assertTrue(q.stream().anyMatch(r -> Hex.digest(otherSubject).equals(r.get("sha256"))
                    && "MALFORMED".equals(r.get("reason"))
                    && String.valueOf(r.get("detail")).contains("subject")), q::toString);
        });
        RestAssured.get("/api/bundles/" + id).then().statusCode(404);
    }

    @Test
    void inclusionProofsAreServedAndVerifiedOnlyAgainstSignedCheckpoints() throws Exception {
        for (int i = 0; i < 5; i++) {
            send("log-proof-" + i, Fixtures.bundle("log-proof-" + i, Fixtures.LOCAL_ENV, "APPLIED"));
        }
        long index = Api.awaitEntries("log-proof-4", 1);
        JsonPath cp = Api.checkpoint();
        long size = cp.getLong("size");
        assertTrue(size > index);

        JsonPath proof = Api.json("/api/proofs/inclusion?capsuleId=log-proof-2");
        var verified = CheckpointVerifier.verify(StrictJson.write(proof.getMap("checkpoint")), Fixtures.trusted(),
                Fixtures.LOG);
        assertEquals(size, verified.checkpoint().size());
        byte[] leaf = MerkleHash.leafHash(Api.entryBytes("log-proof-2", 0));
        List<byte[]> hashes = proof.getList("hashes", String.class).stream().map(Hex::decode).toList();
        long leafIndex = proof.getLong("logIndex");
        CheckpointVerifier.verifyInclusion(verified, leaf, leafIndex, hashes);

        // E.25 on the verifier side: one hash short, one extra, index out of range, another entry's hash.
        assertEquals(ProofError.PROOF_TOO_SHORT, assertThrows(ProofException.class, () -> CheckpointVerifier
                .verifyInclusion(verified, leaf, leafIndex, hashes.subList(1, hashes.size()))).error());
        List<byte[]> longer = new ArrayList<>(hashes);
        longer.add(hashes.get(0));
        assertEquals(ProofError.PROOF_TOO_LONG, assertThrows(ProofException.class, () -> CheckpointVerifier
                .verifyInclusion(verified, leaf, leafIndex, longer)).error());
        assertEquals(ProofError.INDEX_OUT_OF_RANGE, assertThrows(ProofException.class, () -> CheckpointVerifier
                .verifyInclusion(verified, leaf, size, hashes)).error());
        byte[] other = MerkleHash.leafHash(Api.entryBytes("log-proof-3", 0));
        assertEquals(ProofError.ROOT_MISMATCH, assertThrows(ProofException.class, () -> CheckpointVerifier
                .verifyInclusion(verified, other, leafIndex, hashes)).error());

        // E.24 on the server side: no proof against a size nobody signed, nor for a leaf past the checkpoint.
        RestAssured.get("/api/proofs/inclusion?leafIndex=0&size=" + (size - 1)).then().statusCode(409)
                .body("detail", containsString("no signed checkpoint of size " + (size - 1)));
        RestAssured.get("/api/proofs/inclusion?leafIndex=" + size + "&size=" + size).then().statusCode(409)
                .body("detail", containsString("not covered by the checkpoint"));
        RestAssured.get("/api/proofs/inclusion?leafIndex=x").then().statusCode(400)
                .body("detail", containsString("leafIndex must be a whole number"));
    }

    @Test
    void consecutiveCheckpointsAreConsistentAndAForkIsDetected() throws Exception {
        send("log-consistency-1", Fixtures.bundle("log-consistency-1", Fixtures.LOCAL_ENV, "APPLIED"));
        Api.awaitEntries("log-consistency-1", 1);
        long from = Api.checkpoint().getLong("size");
        send("log-consistency-2", Fixtures.bundle("log-consistency-2", Fixtures.LOCAL_ENV, "OBSERVED"));
        Api.awaitEntries("log-consistency-2", 1);
        long to = Api.checkpoint().getLong("size");
        assertTrue(to > from);

        JsonPath c = Api.json("/api/proofs/consistency?from=" + from + "&to=" + to);
        var older = CheckpointVerifier.verify(StrictJson.write(c.getMap("fromCheckpoint")), Fixtures.trusted(),
                Fixtures.LOG);
        var newer = CheckpointVerifier.verify(StrictJson.write(c.getMap("toCheckpoint")), Fixtures.trusted(),
                Fixtures.LOG);
        List<byte[]> hashes = c.getList("hashes", String.class).stream().map(Hex::decode).toList();
        CheckpointVerifier.verifyConsistency(older, newer, hashes);

        // A log that rewrote its past signs a root the old checkpoint is not consistent with (a fork).
        var forked = CheckpointVerifier.verify(dev.airlock.core.evidence.Checkpoint.of(Fixtures.LOG, to,
                Hex.decode("00".repeat(32)), TestPki.NOW).sign(Fixtures.evidenceKey()).toJson(), Fixtures.trusted(),
                Fixtures.LOG);
        assertEquals(ProofError.ROOT_MISMATCH, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyConsistency(older, forked, hashes)).error());
        // Truncation: a newer checkpoint never has fewer leaves.
        assertEquals(ProofError.SIZE_DECREASED, assertThrows(ProofException.class,
                () -> CheckpointVerifier.verifyConsistency(newer, older, List.of())).error());
        RestAssured.get("/api/proofs/consistency?from=" + to + "&to=" + from).then().statusCode(400)
                .body("detail", containsString("a log only grows"));

        JsonPath latest = Api.json("/api/checkpoints/latest");
        assertEquals(to, latest.getLong("size"));
        JsonPath verify = Api.json("/api/verify");
        assertTrue(verify.getBoolean("ok"), verify.prettify());
        assertTrue(verify.getLong("checkpointsChecked") >= 2);
    }

    private static Envelope parse(byte[] b) {
        try {
            return Envelope.parse(b);
        } catch (dev.airlock.core.verify.VerificationException e) {
            throw new IllegalStateException(e);
        }
    }
}
