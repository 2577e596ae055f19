package dev.airlock.evidence.it;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.CheckpointVerifier;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.MutableClock;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention with an injected clock: bodies go, leaf hashes and proofs stay, the purge is a log entry itself. */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class RetentionTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @AfterEach
    void resetClock() {
        MutableClock.INSTANCE.set(TestPki.NOW);
    }

    @Test
    void bodiesPastRetentionArePurgedWhileTheirProofsStayValid() throws Exception {
        MutableClock.INSTANCE.set(TestPki.NOW);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "retention-1", Fixtures.bundle("retention-1", Fixtures.RETENTION_ENV,
                    "APPLIED"));
            kafka.send(Topics.EVIDENCE_RAW, "retention-keep", Fixtures.bundle("retention-keep", Fixtures.LOCAL_ENV,
                    "APPLIED"));
        }
        long index = Api.awaitEntries("retention-1", 1);
        Api.awaitEntries("retention-keep", 1);
        Api.checkpoint();
        JsonPath before = Api.json("/api/proofs/inclusion?capsuleId=retention-1");

        // One day is not enough for retentionDays 1 to pass... two are.
        MutableClock.INSTANCE.advance(Duration.ofHours(23));
        List<?> none = RestAssured.post("/api/retention").then().statusCode(200).extract().jsonPath().getList("$");
        assertTrue(none.stream().noneMatch(p -> p.toString().contains(Fixtures.RETENTION_ENV)), none::toString);
        MutableClock.INSTANCE.advance(Duration.ofHours(25));
        JsonPath purged = RestAssured.post("/api/retention").then().statusCode(200).extract().jsonPath();
        assertEquals(Fixtures.RETENTION_ENV, purged.getString("find { it.environment == '" + Fixtures.RETENTION_ENV
                + "' }.environment"), purged.prettify());
        long purgeIndex = purged.getLong("find { it.environment == '" + Fixtures.RETENTION_ENV + "' }.purgeRecordIndex");

        JsonPath entry = Api.json("/api/bundles/retention-1");
        assertNull(entry.getString("entries[0].entry"), "body purged");
        assertNotNull(entry.getString("entries[0].purgedAt"));
        assertEquals(before.getString("leafHash"), entry.getString("entries[0].leafHash"), "leaf hash kept");
        assertNotNull(Api.json("/api/bundles/retention-keep").getString("entries[0].entry"),
                "other environments keep theirs (365 days)");

        // The proof served before the purge still verifies against its signed checkpoint...
        var oldCp = CheckpointVerifier.verify(StrictJson.write(before.getMap("checkpoint")), Fixtures.trusted(),
                Fixtures.LOG);
        CheckpointVerifier.verifyInclusion(oldCp, Hex.decode(before.getString("leafHash")), index,
                before.getList("hashes", String.class).stream().map(Hex::decode).toList());
        // ...and the leaf is provable in the grown log, under a new checkpoint.
        Api.checkpoint();
        JsonPath after = Api.json("/api/proofs/inclusion?capsuleId=retention-1");
        var newCp = CheckpointVerifier.verify(StrictJson.write(after.getMap("checkpoint")), Fixtures.trusted(),
                Fixtures.LOG);
        assertTrue(newCp.checkpoint().size() > purgeIndex);
        CheckpointVerifier.verifyInclusion(newCp, Hex.decode(after.getString("leafHash")), index,
                after.getList("hashes", String.class).stream().map(Hex::decode).toList());

        // The purge is a log entry of its own, signed by the evidence key, naming what it removed.
        JsonPath record = Api.json("/api/entries/" + purgeIndex);
        assertEquals("purge", record.getString("kind"));
        Envelope env = Envelope.parse(Base64.getDecoder().decode(record.getString("entry")));
        assertEquals(PayloadTypes.EVIDENCE_PURGE, env.payloadType());
        assertTrue(Dsse.verify(env, KeyRing.of(Fixtures.evidenceKey().publicKey())).anyVerified());
        var payload = StrictJson.readTree(env.payloadBytes(), StrictJson.SIGNED);
        assertEquals("airlock.evidence.purge/v1", payload.get("schema").asText());
        assertEquals(1, payload.get("retentionDays").asInt());
        boolean covered = false;
        for (var r : payload.get("ranges")) {
            covered |= r.get(0).asLong() <= index && index <= r.get(1).asLong();
        }
        assertTrue(covered, payload::toString);

        JsonPath chain = Api.json("/api/verify");
        assertTrue(chain.getBoolean("ok"), chain.prettify());
        assertTrue(chain.getLong("purgedEntries") >= 1);
    }
}
