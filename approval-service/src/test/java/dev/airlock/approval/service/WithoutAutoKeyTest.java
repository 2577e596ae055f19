package dev.airlock.approval.service;

import dev.airlock.approval.support.Api;
import dev.airlock.approval.support.ApprovalFiles;
import dev.airlock.approval.support.ApprovalTestResources;
import dev.airlock.approval.support.Fixtures;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without {@code airlock.approval.auto-key} nothing is ever auto-approved, even where the policy grants
 * {@code autoApprove}: people decide, and the audit trail says why.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = ApprovalTestResources.TOPICS))
@WithTestResource(PostgresResource.class)
@WithTestResource(value = ApprovalFiles.class, initArgs = @ResourceArg(name = "auto-key", value = "false"))
class WithoutAutoKeyTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void anAutoApproveTierStaysWithPeopleWhenNoAutoKeyIsConfigured() {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> {
            s.tier = "T1";
            s.environment = TestPki.STAGING;
        }));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T1"));
        }
        Api.awaitAudit("alice", id, "AUTO_APPROVAL_SKIPPED");
        Api.awaitStatus("alice", id, "pending");
        Response audit = Api.as("alice").queryParam("capsuleId", id).queryParam("kind", "AUTO_APPROVAL_SKIPPED")
                .get("/api/audit");
        assertTrue(audit.jsonPath().getString("[0].detail").contains("no airlock.approval.auto-key is configured"),
                audit.asString());
        // a person can still approve it: T1 needs one service-owner
        Response r = Api.post("dave", id, Fixtures.approve(env, "dave", "service-owner"));
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("authorized", r.jsonPath().getString("status"));
        Api.awaitStatus("alice", id, "emitted");
    }
}
