package dev.airlock.approval.service;

import dev.airlock.approval.support.Api;
import dev.airlock.approval.support.ApprovalFiles;
import dev.airlock.approval.support.ApprovalTestResources;
import dev.airlock.approval.support.Fixtures;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once the policy is satisfied the signed capsule (§3.4) goes to {@code airlock.capsules.signed.v1} exactly once and
 * verifies with the gateway's engine; {@code policy-auto} approvals are signed only where the policy grants them.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = ApprovalTestResources.TOPICS))
@WithTestResource(PostgresResource.class)
@WithTestResource(ApprovalFiles.class)
class EmissionTest {

    @InjectKafkaBroker
    KafkaBroker broker;
    @Inject
    AgroalDataSource db;

    static List<ConsumerRecord<String, byte[]>> signed(KafkaTestClient kafka, String id) {
        return kafka.readAll(Topics.CAPSULES_SIGNED).stream().filter(r -> id.equals(r.key())).toList();
    }

    static SignedCapsule parse(byte[] bytes) throws Exception {
        return SignedCapsule.parse(bytes, StrictJson.SIGNED);
    }

    @Test
    void twoDistinctApproversAuthorizeAndTheSignedCapsuleIsEmittedOnceAndVerifies() throws Exception {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        Envelope alice = Fixtures.approve(env, "alice", "service-owner");
        Envelope bob = Fixtures.approve(env, "bob", "security-officer");
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
            Api.awaitStatus("alice", id, "pending");
            assertEquals("pending", Api.post("alice", id, alice).jsonPath().getString("status"));
            Response r = Api.post("bob", id, bob);
            assertEquals(200, r.statusCode(), r.asString());
            assertEquals("accepted", r.jsonPath().getString("outcome"));
            assertEquals(2, r.jsonPath().getInt("approvals"));
            Api.awaitStatus("alice", id, "emitted");
            // duplicates after authorization change nothing and emit nothing
            assertEquals("duplicate", Api.post("bob", id, bob).jsonPath().getString("outcome"));
            kafka.send(Topics.DECISIONS, id, alice.toJson());
            Response late = Api.post("dave", id, Fixtures.approve(env, "dave", "service-owner"));
            assertEquals(409, late.statusCode());
            assertEquals("CAPSULE_CLOSED", late.jsonPath().getString("reason"));
            await().atMost(Duration.ofSeconds(120)).until(() -> count(
                    "select count(*) from audit_events where kind = 'DECISION_DUPLICATE' and capsule_id = ?", id) == 2);

            List<ConsumerRecord<String, byte[]>> out = signed(kafka, id);
            assertEquals(1, out.size());
            assertEquals(SignedCapsule.SCHEMA, KafkaTestClient.header(out.get(0), Topics.CE_TYPE).orElseThrow());
            SignedCapsule sc = parse(out.get(0).value());
            assertEquals(env, sc.capsule());
            assertEquals(List.of(alice, bob), sc.approvals());
            Verdict v = new VerificationEngine(TestPki.clock()).verify(out.get(0).value(), TestPki.PROD,
                    Fixtures.trusted(), new InMemoryLedger());
            assertTrue(v.isAdmitted(), v.toJson());
            assertEquals(List.of("alice", "bob"), v.approvers().stream().map(Verdict.ApproverRef::approver).toList());
        }
        List<String> kinds = Api.as("alice").queryParam("capsuleId", id).get("/api/audit").jsonPath().getList("kind");
        assertEquals(List.of("PROPOSAL_QUEUED", "DECISION_ACCEPTED", "DECISION_ACCEPTED", "CAPSULE_AUTHORIZED",
                "SIGNED_CAPSULE_EMITTED", "DECISION_DUPLICATE", "DECISION_DUPLICATE", "DECISION_REFUSED"),
                sorted(kinds));
        assertEquals(1, count("select count(*) from outbox where sent_at is not null and capsule_id = ?", id));
    }

    /** The two duplicates and the refusal race the relay's emission; everything before is in order. */
    private static List<String> sorted(List<String> kinds) {
        List<String> head = kinds.subList(0, 4);
        List<String> tail = new java.util.ArrayList<>(kinds.subList(4, kinds.size()));
        List<String> order = List.of("SIGNED_CAPSULE_EMITTED", "DECISION_DUPLICATE", "DECISION_REFUSED");
        tail.sort(java.util.Comparator.comparingInt(order::indexOf));
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(tail);
        return all;
    }

    @Test
    void autoApproveTiersAreSignedByTheAutomationPrincipalWithPolicyAuto() throws Exception {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> {
            s.tier = "T1";
            s.environment = TestPki.STAGING;
        }));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T1"));
            Api.awaitStatus("alice", id, "emitted");
            List<ConsumerRecord<String, byte[]>> out = signed(kafka, id);
            assertEquals(1, out.size());
            SignedCapsule sc = parse(out.get(0).value());
            assertEquals(1, sc.approvals().size());
            Approval a = StrictJson.read(sc.approvals().get(0).payloadBytes(), Approval.class, StrictJson.SIGNED);
            assertEquals("governance.auto", a.approver());
            assertEquals("auto-approver", a.role());
            assertEquals(Approval.POLICY_AUTO, a.basis());
            assertEquals(null, a.ticket());
            Verdict v = new VerificationEngine(TestPki.clock()).verify(out.get(0).value(), TestPki.STAGING,
                    Fixtures.trusted(), new InMemoryLedger());
            assertTrue(v.isAdmitted(), v.toJson());
        }
        Response r = Api.as("alice").get("/api/capsules/{id}", id);
        assertEquals("auto", r.jsonPath().getString("decisions[0].via"));
        assertEquals("policy-auto", r.jsonPath().getString("decisions[0].basis"));
    }

    @Test
    void aTierThatRequiresATicketIsNeverAutoApproved() throws Exception {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> s.environment = TestPki.STAGING));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
        }
        Api.awaitAudit("alice", id, "AUTO_APPROVAL_SKIPPED");
        Response r = Api.as("alice").queryParam("capsuleId", id).queryParam("kind", "AUTO_APPROVAL_SKIPPED")
                .get("/api/audit");
        assertTrue(r.jsonPath().getString("[0].detail").contains("requires a change ticket"), r.asString());
        Api.awaitStatus("alice", id, "pending");
        assertEquals(0, count("select count(*) from decisions where capsule_id = ?", id));
    }

    @Test
    void aPolicyAutoApprovalWhereTheTierGrantsNoneIsAutoNotPermitted() throws Exception {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        Envelope auto = Fixtures.approval(env, "governance.auto", "auto-approver", Approval.APPROVE, "CHG0012345",
                Approval.POLICY_AUTO, Duration.ofMinutes(1), Fixtures.PKI.of("governance.auto"));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
            Api.awaitStatus("alice", id, "pending");
            kafka.send(Topics.DECISIONS, id, auto.toJson());
        }
        assertEquals("AUTO_NOT_PERMITTED", Api.awaitAudit("alice", id, "DECISION_REFUSED"));
        assertEquals(0, count("select count(*) from decisions where capsule_id = ?", id));
    }

    @Test
    void theAuditTrailRefusesUpdatesAndDeletes() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class,
                    () -> s.executeUpdate("update audit_events set actor = 'nobody'"));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
            SQLException delete = assertThrows(SQLException.class, () -> s.executeUpdate("delete from audit_events"));
            assertTrue(delete.getMessage().contains("append-only"), delete.getMessage());
            SQLException truncate = assertThrows(SQLException.class, () -> s.executeUpdate("truncate audit_events"));
            assertTrue(truncate.getMessage().contains("append-only"), truncate.getMessage());
        }
    }

    private long count(String sql, String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
