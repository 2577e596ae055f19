package dev.airlock.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.messaging.Channels;
import dev.airlock.gateway.testing.Fixtures;
import dev.airlock.gateway.testing.GatewayProcess;
import dev.airlock.gateway.testing.Outputs;
import dev.airlock.gateway.testing.TestKafka;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged gateway as a real process, stopped hard at the worst moments (SECURITY-TESTS F.32, F.33; issue
 * «Enclave execution»): killed after the database commit and before anything was published or the offset committed,
 * and killed after publishing and before the outbox was cleared. After each restart against the same broker and the
 * same PostgreSQL nothing is lost, nothing is admitted twice, and a replay is still {@code REPLAY} — the ledger lives
 * in PostgreSQL, not in the process. An admission whose capsule the broker no longer holds after the restart is not
 * published (fail closed) while the gateway goes on. Finally an edited policy_history row keeps the gateway from
 * starting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayRestartIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final String HALT = "airlock.test.gateway-halt";

    KafkaBroker broker;
    PostgresServer db;
    TestKafka kafka;
    Outputs outputs;
    Path dir;
    Fixtures f;
    int runs;
    /** Admitted by a process that has since been killed and restarted. */
    byte[] admittedEarlier;

    @BeforeAll
    void infrastructure() throws Exception {
        broker = KafkaBroker.start();
        broker.createTopics(Topics.INBOUND, Topics.dlq(Topics.INBOUND), Topics.ADMISSIONS, Topics.EVIDENCE_RAW,
                Topics.DIODE_HEALTH);
        db = PostgresServer.start();
        kafka = new TestKafka(broker);
        outputs = new Outputs(kafka);
        // the packaged gateway runs on the wall clock: documents are made around it
        f = new Fixtures(Instant.now());
        dir = f.writeConfigFiles(Files.createTempDirectory(Path.of("target"), "restart-it-"));
    }

    @AfterAll
    void close() {
        kafka.close();
        db.close();
        broker.close();
    }

    JavaApp start(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(GatewayProcess.properties(broker, db, dir));
        p.putAll(extra);
        Path log = Path.of("target", "gateway-restart-it-" + (++runs) + ".log");
        try {
            Files.deleteIfExists(GatewayProcess.statusFile(dir));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        JavaApp app = GatewayProcess.start(p, log);
        await().atMost(START).pollInterval(Duration.ofMillis(500))
                .failFast("gateway exited: see " + log, () -> !app.isAlive())
                .until(() -> ready() && kafka.client().groupIsStable(Channels.GROUP, 1));
        return app;
    }

    boolean ready() throws Exception {
        Path s = GatewayProcess.statusFile(dir);
        return Files.exists(s) && StrictJson.mapper().readTree(Files.readAllBytes(s)).path("ready").asBoolean();
    }

    @Test
    @Order(1)
    void killedAfterTheDatabaseCommitTheAdmissionIsPublishedOnceAfterRestart() throws Exception {
        byte[] capsule = f.admissible();
        admittedEarlier = capsule;
        String id = AdmissionOverKafkaTest.capsuleId(capsule);
        RecordMetadata sent;
        try (JavaApp gateway = start(Map.of(HALT, "after-commit"))) {
            sent = kafka.send(Topics.INBOUND, id, capsule);
            await().atMost(Outputs.TIMEOUT).until(() -> !gateway.isAlive());
            assertTrue(gateway.logText().contains("halting the JVM now"), gateway.logText());
        }
        try (Connection c = db.connect()) {
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size(),
                    "committed before the halt");
            assertFalse(Outputs.rows(c, "select 1 from outbox").isEmpty(), "its records wait in the outbox");
            // the admission's row holds what the gateway added and where the capsule is, not a second copy of it
            List<Map<String, Object>> row = Outputs.rows(c, "select octet_length(value) as n, capsule_topic,"
                    + " capsule_offset, capsule_digest from outbox where record_key = ?", id);
            assertEquals(1, row.size());
            assertEquals(Topics.INBOUND, row.get(0).get("capsule_topic"));
            assertEquals(sent.offset(), row.get(0).get("capsule_offset"));
            assertEquals(Hex.digest(capsule), row.get(0).get("capsule_digest"));
            assertTrue(((Number) row.get(0).get("n")).intValue() < capsule.length, "stored " + row.get(0).get("n")
                    + " bytes for a capsule of " + capsule.length);
        }
        assertTrue(kafka.withKey(Topics.ADMISSIONS, id).isEmpty(), "nothing was published before the halt");

        try (JavaApp gateway = start(Map.of())) {
            Admission a = outputs.admission(id);
            assertEquals(Verdict.ADMITTED, a.verdict());
            TopicPartition tp = new TopicPartition(Topics.INBOUND, sent.partition());
            await().atMost(Outputs.TIMEOUT).until(() -> kafka.client().committedOffset(Channels.GROUP, tp)
                    .orElse(-1) > sent.offset());
            // the redelivered record was recognised, not decided again
            try (Connection c = db.connect()) {
                assertEquals(1, Outputs.rows(c, "select 1 from verdicts where capsule_id = ?", id).size());
                assertEquals(1, Outputs.rows(c, "select 1 from inbox where record_offset = ?", sent.offset()).size());
                await().atMost(Outputs.TIMEOUT).until(() -> Outputs.rows(c, "select 1 from outbox").isEmpty());
            }
            assertTrue(gateway.logText().contains("already decided"), "redelivery recognised");
            assertTrue(gateway.logText().contains("Reading back 1 admitted capsule(s) from the broker"),
                    "the capsule was read back from the inbound record");
            assertEquals(1, kafka.withKey(Topics.ADMISSIONS, id).size(), "published exactly once");
            assertEquals(StrictJson.mapper().readTree(capsule), a.signedCapsule(),
                    "the admission embeds the capsule received");
        }
    }

    @Test
    @Order(2)
    void killedAfterPublishingBeforeTheOutboxWasClearedTheSameRecordIsSentAgainAndNothingIsAdmittedTwice()
            throws Exception {
        byte[] capsule = f.admissible();
        String id = AdmissionOverKafkaTest.capsuleId(capsule);
        try (JavaApp gateway = start(Map.of(HALT, "after-publish"))) {
            kafka.send(Topics.INBOUND, id, capsule);
            await().atMost(Outputs.TIMEOUT).until(() -> !gateway.isAlive());
        }
        assertEquals(1, kafka.withKey(Topics.ADMISSIONS, id).size(), "published before the halt");
        try (JavaApp gateway = start(Map.of())) {
            List<ConsumerRecord<String, byte[]>> both = new java.util.ArrayList<>();
            await().atMost(Outputs.TIMEOUT).until(() -> {
                both.clear();
                both.addAll(kafka.withKey(Topics.ADMISSIONS, id));
                return both.size() == 2;
            });
            // at-least-once on the way out, but the same record: same bytes, same CloudEvents id (consumers de-dup)
            assertArrayEquals(both.get(0).value(), both.get(1).value());
            assertEquals(KafkaTestClient.header(both.get(0), Topics.CE_ID), KafkaTestClient.header(both.get(1),
                    Topics.CE_ID));
            try (Connection c = db.connect()) {
                assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size());
                assertEquals(1, Outputs.rows(c, "select 1 from verdicts where capsule_id = ?", id).size());
            }
        }
    }

    @Test
    @Order(3)
    void aReplayAfterARestartIsStillReplay() throws Exception {
        // admitted two gateway processes ago: the ledger is in PostgreSQL, not in the process
        String id = AdmissionOverKafkaTest.capsuleId(admittedEarlier);
        try (JavaApp gateway = start(Map.of())) {
            kafka.send(Topics.INBOUND, id, admittedEarlier);
            List<Admission> both = outputs.admissions(id, 2);
            assertEquals(Verdict.REJECTED, both.get(1).verdict());
            assertEquals(ReasonCode.REPLAY.name(), both.get(1).reason(), both.get(1).detail());
            try (Connection c = db.connect()) {
                long admitted = (Long) Outputs.rows(c, "select count(*) as n from verdicts where kind = 'capsule' "
                        + "and verdict = 'admitted'").get(0).get("n");
                assertEquals(2, admitted);
                await().atMost(Outputs.TIMEOUT).untilAsserted(() -> {
                    JsonNode status = StrictJson.mapper().readTree(Files.readAllBytes(
                            GatewayProcess.statusFile(dir)));
                    assertEquals(admitted, status.path("admitted").asLong(), "all-time count in the status file");
                    assertEquals(1, status.path("rejected").asLong());
                    assertEquals(1, status.path("policyVersion").asLong());
                    assertEquals(TestPki.PROD, status.path("environment").asText());
                });
            }
        }
    }

    @Test
    @Order(4)
    void anAdmissionWhoseCapsuleTheBrokerNoLongerHoldsIsNotPublishedAndTheGatewayGoesOn() throws Exception {
        byte[] capsule = f.admissible();
        String id = AdmissionOverKafkaTest.capsuleId(capsule);
        RecordMetadata sent;
        try (JavaApp gateway = start(Map.of(HALT, "after-commit"))) {
            sent = kafka.send(Topics.INBOUND, id, capsule);
            await().atMost(Outputs.TIMEOUT).until(() -> !gateway.isAlive());
        }
        // while the gateway is down, the broker drops the record (retention passed, or its records were deleted)
        TopicPartition tp = new TopicPartition(Topics.INBOUND, sent.partition());
        kafka.client().admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(sent.offset() + 1))).all()
                .get(30, TimeUnit.SECONDS);

        byte[] next = f.admissible();
        String nextId = AdmissionOverKafkaTest.capsuleId(next);
        try (JavaApp gateway = start(Map.of())) {
            assertTrue(gateway.logText().contains("Admission of capsule " + id), gateway.logText());
            assertTrue(gateway.logText().contains("the broker no longer holds the inbound record"), gateway.logText());
            kafka.send(Topics.INBOUND, nextId, next);
            assertEquals(Verdict.ADMITTED, outputs.admission(nextId).verdict(), "the gateway goes on");
            assertTrue(kafka.withKey(Topics.ADMISSIONS, id).isEmpty(), "no admission without its capsule");
            try (Connection c = db.connect()) {
                assertEquals(1, Outputs.rows(c, "select 1 from outbox where record_key = ?", id).size(),
                        "the row stays for the operator");
                assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size());
            }
            await().atMost(Outputs.TIMEOUT).untilAsserted(() -> assertEquals(1, StrictJson.mapper().readTree(
                    Files.readAllBytes(GatewayProcess.statusFile(dir))).path("unpublishableAdmissions").asLong()));
        }
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("delete from outbox where record_key = ?")) {
            ps.setString(1, id); // what the ERROR tells the operator to do once the capsule is settled
            assertEquals(1, ps.executeUpdate());
        }
    }

    @Test
    @Order(5)
    void anEditedPolicyHistoryRowKeepsTheGatewayFromStarting() throws Exception {
        // a valid policy, properly signed by the root, but not the one that was installed
        byte[] other = Fixtures.sign(Fixtures.withTimes(f.policy(1), f.base().minus(Duration.ofDays(5)),
                f.base().plus(Duration.ofDays(365))), Fixtures.PKI.root(1), Fixtures.PKI.root(2));
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("update policy_history set envelope = ? where version = 1")) {
            ps.setBytes(1, other);
            assertEquals(1, ps.executeUpdate());
        }
        Map<String, String> p = new HashMap<>(GatewayProcess.properties(broker, db, dir));
        try (JavaApp gateway = GatewayProcess.start(p, Path.of("target", "gateway-restart-it-tampered.log"))) {
            await().atMost(START).until(() -> !gateway.isAlive());
            assertTrue(gateway.logText().contains("the stored policy history fails verification"), gateway.logText());
        }
    }
}
