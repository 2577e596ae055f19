package dev.airlock.approval.service;

import dev.airlock.approval.support.Api;
import dev.airlock.approval.support.ApprovalFiles;
import dev.airlock.approval.support.ApprovalTestResources;
import dev.airlock.approval.support.Fixtures;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.testing.TestPki;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Separation of duties, decided on arrival by the capsule-core engine (ARCHITECTURE §5, SECURITY-TESTS C.17): each
 * bad decision is refused with its reason code and changes nothing; the capsule stays pending.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = ApprovalTestResources.TOPICS))
@WithTestResource(PostgresResource.class)
@WithTestResource(ApprovalFiles.class)
class SeparationOfDutiesTest {

    @InjectKafkaBroker
    KafkaBroker broker;
    @Inject
    AgroalDataSource db;

    static KafkaTestClient kafka;

    @AfterAll
    static void close() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    private KafkaTestClient kafka() {
        if (kafka == null) {
            kafka = new KafkaTestClient(broker);
        }
        return kafka;
    }

    /** A fresh pending T2 capsule in prod, proposed through the topic. */
    private Envelope pending() {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        kafka().send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
        Api.awaitStatus("alice", id, "pending");
        return env;
    }

    private static String id(Envelope capsule) {
        return Fixtures.read(capsule).capsuleId();
    }

    private void assertRefused(Response r, int http, String reason) {
        assertEquals(http, r.statusCode(), r.asString());
        assertEquals("refused", r.jsonPath().getString("outcome"), r.asString());
        assertEquals(reason, r.jsonPath().getString("reason"), r.asString());
    }

    private void assertPendingWith(String id, int approvals) throws SQLException {
        Response r = Api.as("alice").get("/api/capsules/{id}", id);
        assertEquals("pending", r.jsonPath().getString("summary.status"));
        assertEquals(approvals, r.jsonPath().getInt("summary.approvals"));
        assertEquals(approvals == 0 ? 0 : decisionRows(id), decisionRows(id));
        assertEquals(approvals, queueApprovals(id), "the queue page counts what the review counts");
    }

    /** The approvals the queue page shows for a capsule (its decisions are read for the whole page at once). */
    private static int queueApprovals(String id) {
        java.util.List<java.util.Map<String, Object>> capsules = Api.as("alice").get("/api/queue").jsonPath()
                .getList("capsules");
        return capsules.stream().filter(m -> id.equals(m.get("capsuleId"))).findFirst()
                .map(m -> ((Number) m.get("approvals")).intValue()).orElseThrow(() -> new AssertionError(id + " not queued"));
    }

    private long decisionRows(String id) throws SQLException {
        return count("select count(*) from decisions where capsule_id = ?", id);
    }

    private long count(String sql, String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aRoleTheApproverDoesNotHoldIsRoleMissing() throws SQLException {
        Envelope c = pending();
        Response r = Api.post("alice", id(c), Fixtures.approve(c, "alice", "security-officer"));
        assertRefused(r, 422, "ROLE_MISSING");
        assertPendingWith(id(c), 0);
        assertEquals(0, decisionRows(id(c)));
        assertEquals("ROLE_MISSING", Api.awaitAudit("alice", id(c), "DECISION_REFUSED"));
    }

    @Test
    void aMissingOrMalformedTicketIsTicketRequired() throws SQLException {
        Envelope c = pending();
        Envelope none = Fixtures.approval(c, "alice", "service-owner", Approval.APPROVE, null, Approval.REVIEW,
                Duration.ofMinutes(1), Fixtures.PKI.of("alice"));
        assertRefused(Api.post("alice", id(c), none), 422, "TICKET_REQUIRED");
        Envelope bad = Fixtures.approval(c, "alice", "service-owner", Approval.APPROVE, "JIRA-1", Approval.REVIEW,
                Duration.ofMinutes(1), Fixtures.PKI.of("alice"));
        Response r = Api.post("alice", id(c), bad);
        assertRefused(r, 422, "TICKET_REQUIRED");
        assertEquals(true, r.jsonPath().getString("detail").contains("^CHG[0-9]{7}$"));
        assertEquals(0, decisionRows(id(c)));
    }

    @Test
    void theProposerApprovingItsOwnCapsuleIsSelfApproval() throws SQLException {
        // The proposer is an agent with no web login: its self-approval arrives on airlock.decisions.v1.
        Envelope c = pending();
        Envelope self = Fixtures.approval(c, "fleet.dependency-bump", "proposer", Approval.APPROVE, "CHG0012345",
                Approval.REVIEW, Duration.ofMinutes(1), Fixtures.PKI.of("fleet.dependency-bump"));
        kafka().send(Topics.DECISIONS, id(c), self.toJson());
        assertEquals("SELF_APPROVAL", Api.awaitAudit("alice", id(c), "DECISION_REFUSED"));
        assertEquals(0, decisionRows(id(c)));
        assertPendingWith(id(c), 0);
    }

    @Test
    void onePersonTwiceCountsOnceAndTheThresholdStaysUnmet() throws SQLException {
        Envelope c = pending();
        Envelope a1 = Fixtures.approve(c, "alice", "service-owner");
        Envelope a2 = Fixtures.approval(c, "alice", "service-owner", Approval.APPROVE, "CHG0012345", Approval.REVIEW,
                Duration.ofMinutes(2), Fixtures.PKI.of("alice"));
        Response ok = Api.post("alice", id(c), a1);
        assertEquals(200, ok.statusCode(), ok.asString());
        assertEquals("accepted", ok.jsonPath().getString("outcome"));
        assertEquals("THRESHOLD_NOT_MET", ok.jsonPath().getString("reason"));
        assertEquals(1, ok.jsonPath().getInt("approvals"));
        assertEquals(2, ok.jsonPath().getInt("required"));
        // a second, different signed approval by the same person: recorded, but it does not count again
        Response again = Api.post("alice", id(c), a2);
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals("THRESHOLD_NOT_MET", again.jsonPath().getString("reason"));
        assertEquals(1, again.jsonPath().getInt("approvals"));
        // and a third time through the topic, as an external approval UI would
        Envelope a3 = Fixtures.approval(c, "alice", "service-owner", Approval.APPROVE, "CHG0012345", Approval.REVIEW,
                Duration.ofMinutes(3), Fixtures.PKI.of("alice"));
        kafka().send(Topics.DECISIONS, id(c), a3.toJson());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> decisionRows(id(c)) == 3);
        Response after = Api.as("alice").get("/api/capsules/{id}", id(c));
        assertEquals("pending", after.jsonPath().getString("summary.status"));
        assertEquals(1, after.jsonPath().getInt("summary.approvals"));
        assertEquals(1, queueApprovals(id(c)), "three decisions of one person count once on the queue page too");
        assertEquals("THRESHOLD_NOT_MET", after.jsonPath().getString("reason"));
        assertEquals(0, count("select count(*) from outbox where capsule_id = ?", id(c)));
    }

    @Test
    void anIdenticalDecisionTwiceIsIdempotent() throws SQLException {
        Envelope c = pending();
        Envelope a = Fixtures.approve(c, "alice", "service-owner");
        assertEquals("accepted", Api.post("alice", id(c), a).jsonPath().getString("outcome"));
        Response dup = Api.post("alice", id(c), a);
        assertEquals(200, dup.statusCode());
        assertEquals("duplicate", dup.jsonPath().getString("outcome"));
        assertEquals(1, dup.jsonPath().getInt("approvals"));
        // the same bytes on the topic as well
        kafka().send(Topics.DECISIONS, id(c), a.toJson());
        Api.awaitAudit("alice", id(c), "DECISION_DUPLICATE");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120))
                .until(() -> count("select count(*) from audit_events where capsule_id = ? and kind = "
                        + "'DECISION_DUPLICATE'", id(c)) == 2);
        assertEquals(1, decisionRows(id(c)));
        assertPendingWith(id(c), 1);
    }

    @Test
    void aRejectionBlocksTheCapsule() throws SQLException {
        Envelope c = pending();
        Envelope reject = Fixtures.approval(c, "bob", "security-officer", Approval.REJECT, null, Approval.REVIEW,
                Duration.ofMinutes(1), Fixtures.PKI.of("bob"));
        Response r = Api.post("bob", id(c), reject);
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("accepted", r.jsonPath().getString("outcome"));
        assertEquals("rejected", r.jsonPath().getString("status"));
        assertEquals("REJECTED_BY_APPROVER", r.jsonPath().getString("reason"));
        Response late = Api.post("alice", id(c), Fixtures.approve(c, "alice", "service-owner"));
        assertRefused(late, 409, "REJECTED_BY_APPROVER");
        assertEquals("rejected", Api.as("alice").get("/api/capsules/{id}", id(c)).jsonPath().getString("summary.status"));
        assertEquals(0, count("select count(*) from outbox where capsule_id = ?", id(c)));
        Api.awaitAudit("alice", id(c), "CAPSULE_REJECTED");
    }

    @Test
    void signaturesApproversAndCapsulesMustMatch() {
        Envelope c = pending();
        Envelope other = pending();
        Envelope alice = Fixtures.approve(c, "alice", "service-owner");
        // someone else's approval, posted by bob
        assertRefused(Api.post("bob", id(c), alice), 403, "NOT_YOUR_APPROVAL");
        // a tampered payload: the signature no longer verifies
        Envelope tampered = Envelope.of(alice.payloadType(), new String(alice.payloadBytes(), StandardCharsets.UTF_8)
                .replace("CHG0012345", "CHG0099999").getBytes(StandardCharsets.UTF_8), alice.signatures());
        assertRefused(Api.post("alice", id(c), tampered), 422, "SIGNATURE_INVALID");
        // alice's key, claiming to be dave
        Envelope forged = Fixtures.approval(c, "dave", "service-owner", Approval.APPROVE, "CHG0012345",
                Approval.REVIEW, Duration.ofMinutes(1), Fixtures.PKI.of("alice"));
        assertRefused(Api.post("dave", id(c), forged), 422, "UNKNOWN_KEY");
        // an approval of capsule c posted to another capsule
        assertRefused(Api.post("alice", id(other), alice), 422, "DIGEST_MISMATCH");
        // an approval naming capsule c's id with another capsule's digest (mix-and-match, SECURITY-TESTS D.21)
        Envelope mixed = dev.airlock.core.dsse.Dsse.sign(dev.airlock.core.dsse.PayloadTypes.APPROVAL,
                dev.airlock.core.json.StrictJson.write(new Approval(Approval.SCHEMA, other.payloadDigest(), id(c),
                        "alice", "service-owner", Approval.APPROVE, "CHG0012345", TestPki.NOW, Approval.REVIEW)),
                Fixtures.PKI.of("alice"));
        assertRefused(Api.post("alice", id(c), mixed), 422, "DIGEST_MISMATCH");
        // erin holds the role but has no login here: only the signed-in approver's own decisions are taken
        assertRefused(Api.post("alice", id(c), Fixtures.approve(c, "erin", "security-officer")), 403,
                "NOT_YOUR_APPROVAL");
        // not an envelope at all
        assertRefused(Api.post("alice", id(c), "{\"payloadType\":\"a\",\"payloadType\":\"b\"}"
                .getBytes(StandardCharsets.UTF_8)), 400, "MALFORMED");
        // a capsule that was never proposed
        String never = Fixtures.newId();
        Envelope unknown = Fixtures.approve(Fixtures.signed(Fixtures.capsule(never, s -> { })), "alice",
                "service-owner");
        assertRefused(Api.post("alice", never, unknown), 404, "UNKNOWN_CAPSULE");
        assertEquals(0, Api.as("alice").get("/api/capsules/{id}", id(c)).jsonPath().getInt("summary.approvals"));
    }

    @Test
    void withoutCredentialsNothingIsShownOrDecided() {
        Envelope c = pending();
        assertEquals(401, io.restassured.RestAssured.given().get("/api/capsules/{id}", id(c)).statusCode());
        assertEquals(401, io.restassured.RestAssured.given().contentType("application/json")
                .body(Fixtures.approve(c, "alice", "service-owner").toJson())
                .post("/api/capsules/{id}/decisions", id(c)).statusCode());
        assertEquals(401, Api.as("alice").auth().preemptive().basic("alice", "wrong").get("/api/queue").statusCode());
    }

    @Test
    void metricsAreServedForPrometheusWithoutALogin() {
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("# TYPE jvm_memory_used_bytes gauge"), "JVM metrics");
        assertTrue(metrics.contains("kafka_consumer_"), "Kafka client metrics");
    }
}
