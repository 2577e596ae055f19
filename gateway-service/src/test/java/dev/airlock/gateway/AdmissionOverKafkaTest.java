package dev.airlock.gateway;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.testing.Fixtures;
import dev.airlock.gateway.testing.GatewayTestResource;
import dev.airlock.gateway.testing.MutableClock;
import dev.airlock.gateway.testing.Outputs;
import dev.airlock.gateway.testing.ReasonCases;
import dev.airlock.gateway.testing.TestKafka;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway end to end through a real broker and a real PostgreSQL: signed capsules produced to
 * {@code airlock.inbound.v1}, gateway-signed admissions read back from {@code airlock.admissions.v1}, gateway-signed
 * REJECTED evidence from {@code airlock.evidence.raw.v1}, and the rows of the ledger (ARCHITECTURE §5; SECURITY-TESTS
 * B, C, D through Kafka, not only through the engine).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.INBOUND + "," + Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW + "," + Topics.DIODE_HEALTH))
@WithTestResource(PostgresResource.class)
@WithTestResource(GatewayTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionOverKafkaTest {
    static final long MAX_CAPSULE_BYTES = 4L * 1024 * 1024;

    @InjectKafkaBroker
    KafkaBroker broker;

    @InjectPostgres
    PostgresServer db;

    @Inject
    MutableClock clock;

    final Fixtures f = Fixtures.atTestClock();
    final TrustedPolicy policy = TestPki.trust(f.policyV1());
    TestKafka kafka;
    Outputs outputs;

    @BeforeAll
    void connect() {
        TestKafka.allowLargeRecords(broker.bootstrapServers(), List.of(Topics.INBOUND, Topics.ADMISSIONS));
        kafka = new TestKafka(broker);
        outputs = new Outputs(kafka);
    }

    @AfterAll
    void close() {
        kafka.close();
    }

    List<ReasonCases.Case> cases() {
        return ReasonCases.all(f, MAX_CAPSULE_BYTES);
    }

    @Test
    void admitsAnApprovedCapsuleWithTheCapsuleAndRecordsItInTheLedger() throws Exception {
        clock.reset();
        byte[] bytes = f.admissible(s -> s.sequence = 3);
        String id = send(bytes);

        Admission a = outputs.admission(id);
        assertEquals(Verdict.ADMITTED, a.verdict());
        assertNull(a.reason());
        assertEquals("apply", a.effectiveMode());
        assertEquals(TestPki.PROD, a.environment());
        assertEquals(1L, a.policyVersion());
        assertEquals(Fixtures.GATEWAY, a.gateway());
        assertEquals(TestPki.NOW, a.decidedAt());
        assertEquals(List.of("alice", "bob"), a.approvers().stream().map(Verdict.ApproverRef::approver).sorted().toList());
        // the runner receives the signed capsule exactly as it crossed the diode
        assertEquals(StrictJson.readTree(bytes, StrictJson.SIGNED),
                a.signedCapsule());

        try (Connection c = db.connect()) {
            List<Map<String, Object>> ledger = Outputs.rows(c,
                    "select lineage, sequence, capsule_digest, policy_version from admission_ledger where capsule_id = ?",
                    id);
            assertEquals(1, ledger.size());
            assertEquals(3L, ledger.get(0).get("sequence"));
            assertEquals(a.capsuleDigest(), ledger.get(0).get("capsule_digest"));
            assertEquals(3L, Outputs.rows(c, "select last_sequence from lineage_head where lineage = ?",
                    a.lineage()).get(0).get("last_sequence"));
            List<Map<String, Object>> verdicts = Outputs.rows(c,
                    "select verdict, reason, effective_mode from verdicts where capsule_id = ?", id);
            assertEquals(List.of(Map.of("verdict", "admitted", "effective_mode", "apply")),
                    verdicts.stream().map(r -> Map.of("verdict", r.get("verdict"), "effective_mode",
                            r.get("effective_mode"))).toList());
            assertNull(verdicts.get(0).get("reason"));
        }
        // an admission is not evidence: the runner produces that
        assertTrue(kafka.withKey(Topics.EVIDENCE_RAW, id).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRejectionReasonIsReachedThroughKafkaAndKeptAsEvidence(ReasonCases.Case c) throws Exception {
        clock.reset();
        for (byte[] setup : c.setup()) {
            String key = send(setup);
            assertEquals(Verdict.ADMITTED, outputs.admission(key).verdict(), c + " setup");
        }
        RecordMetadata sent = kafka.send(Topics.INBOUND, c.capsuleId() != null ? c.capsuleId() : "unknown", c.value());

        Admission a = outputs.admission(c.admissionKey());
        assertEquals(Verdict.REJECTED, a.verdict(), c.name());
        assertEquals(c.reason().name(), a.reason(), a.detail());
        assertEquals(c.capsuleId(), a.capsuleId());
        assertNull(a.signedCapsule(), "a rejection does not carry the capsule to the runners");

        EvidenceBundles.Verified ev = outputs.evidence(c.evidenceKey(), 1, policy).get(0);
        assertEquals(Fixtures.GATEWAY, ev.signer());
        Statement st = ev.statement();
        assertEquals("REJECTED", st.predicate().outcome());
        assertEquals(Verdict.REJECTED, st.predicate().admission().verdict());
        assertEquals(c.reason().name(), st.predicate().admission().reason());
        assertEquals(1L, st.predicate().admission().policyVersion());
        assertEquals("capsule:" + c.evidenceKey(), st.subject().get(0).name());
        assertEquals(a.capsuleDigest() != null ? a.capsuleDigest() : Outputs.digestKey(c.value()), st.capsuleDigest());

        try (Connection conn = db.connect()) {
            List<Map<String, Object>> v = Outputs.rows(conn, "select verdict, reason, kind from verdicts "
                    + "where record_topic = ? and record_partition = ? and record_offset = ?", Topics.INBOUND,
                    sent.partition(), sent.offset());
            assertEquals(List.of(Map.of("verdict", "rejected", "reason", c.reason().name(), "kind", "capsule")), v);
            if (c.capsuleId() != null) {
                assertTrue(Outputs.rows(conn, "select 1 from admission_ledger where capsule_id = ?", c.capsuleId())
                        .isEmpty(), "nothing of a rejected capsule enters the ledger");
            }
        }
    }

    @Test
    void anExactReplayOfAnAdmittedCapsuleIsRejectedAndTheDuplicateIsRecorded() throws Exception {
        clock.reset();
        byte[] bytes = f.admissible();
        String id = send(bytes);
        assertEquals(Verdict.ADMITTED, outputs.admission(id).verdict());

        kafka.send(Topics.INBOUND, id, bytes); // the same bytes again, at a new offset (SECURITY-TESTS D.18)
        List<Admission> both = outputs.admissions(id, 2);
        assertEquals(2, both.size());
        Admission replay = both.get(1);
        assertEquals(Verdict.REJECTED, replay.verdict());
        assertEquals(ReasonCode.REPLAY.name(), replay.reason());
        assertEquals(both.get(0).capsuleDigest(), replay.capsuleDigest());
        Statement st = outputs.evidence(id, 1, policy).get(0).statement();
        assertEquals(ReasonCode.REPLAY.name(), st.predicate().admission().reason());

        try (Connection c = db.connect()) {
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size());
            assertEquals(List.of("admitted", "rejected"), Outputs.rows(c,
                    "select verdict from verdicts where capsule_id = ? order by record_offset", id).stream()
                    .map(r -> r.get("verdict")).toList());
        }
    }

    @Test
    void aCapsuleOfExactlyMaxCapsuleBytesIsAdmittedThroughTheBroker() throws Exception {
        clock.reset();
        byte[] atLimit = ReasonCases.pad(f.admissible(), MAX_CAPSULE_BYTES);
        String id = send(atLimit);
        Admission a = outputs.admission(id);
        assertEquals(Verdict.ADMITTED, a.verdict(), a.detail());
        assertNotNull(a.signedCapsule());
    }

    @Test
    void createdAtJustInsideTheClockSkewIsAdmitted() throws Exception {
        clock.reset();
        byte[] bytes = f.admissible(s -> s.createdAt = f.base().plus(Duration.ofMinutes(5)));
        Admission a = outputs.admission(send(bytes));
        assertEquals(Verdict.ADMITTED, a.verdict(), a.detail());
    }

    @Test
    void aPolicyEnvelopeOnTheInboundTopicIsNotMistakenForACapsule() throws Exception {
        clock.reset();
        // the installed version 1 delivered again: idempotent, nothing admitted, nothing rejected
        RecordMetadata sent = kafka.send(Topics.INBOUND, "policy", f.policyV1());
        try (Connection c = db.connect()) {
            await().atMost(Outputs.TIMEOUT).until(() -> !Outputs.rows(c,
                    "select 1 from verdicts where record_offset = ? and record_topic = ?", sent.offset(),
                    Topics.INBOUND).isEmpty());
            assertEquals(List.of(Map.of("kind", "policy", "verdict", "unchanged", "policy_version", 1L)),
                    Outputs.rows(c, "select kind, verdict, policy_version from verdicts where record_offset = ? "
                            + "and record_topic = ?", sent.offset(), Topics.INBOUND));
        }
    }

    /** Sends a signed capsule (keyed by its capsule id, as the diode receiver does) and returns that id. */
    String send(byte[] signedCapsule) throws Exception {
        String id = capsuleId(signedCapsule);
        kafka.send(Topics.INBOUND, id, signedCapsule);
        return id;
    }

    /** The capsule id inside a signed capsule built by the fixtures (read on the test side, trusted). */
    static String capsuleId(byte[] signedCapsule) throws Exception {
        StrictJson.Limits limits = StrictJson.SIGNED.withMaxBytes(64L << 20);
        return StrictJson.read(SignedCapsule.parse(signedCapsule, limits).capsule().payloadBytes(), Capsule.class,
                limits).capsuleId();
    }
}
