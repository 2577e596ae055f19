package dev.airlock.runner.messaging;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.config.RunnerConfig;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.EvidenceTopic;
import dev.airlock.runner.testing.RunnerFixtureResource;
import dev.airlock.testsupport.kafka.DeadLetterCheck;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.airlock.runner.testing.Admissions.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW))
@WithTestResource(RunnerFixtureResource.class)
class RunnerMessagingTest {

    static final byte[] NOT_JSON = {0, (byte) 0xff, 'n', 'o', 'p', 'e'};

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    EvidenceRawPublisher evidenceRawPublisher;

    @Inject
    RunnerConfig config;

    /**
     * Only admissions signed by the configured gateway key are acted on; anything else is dead-lettered with its reason
     * and runs nothing (a forged admission for a real workspace included). Gateway rejections and admissions for other
     * environments are acknowledged without evidence: the gateway already emitted it.
     */
    @Test
    void onlyGatewaySignedAdmissionsAreTakenAndPoisonIsDeadLettered(@TempDir Path scratch) throws Exception {
        Path counter = scratch.resolve("runs");
        Capsule forgedTarget = Admissions.capsule("msg-forged-1", "ledger-api",
                step("count", 60, "sh", "validate.sh", "count", counter.toString()));
        Admission forged = Admissions.admitted(forgedTarget, "apply");
        SigningKey alice = Admissions.PKI.of("alice");
        byte[] forgedCapsule = Admissions.capsuleBytes(forged);
        Envelope aliceSigned = Admissions.statement(forged).sign(alice);
        // alice's signature presented under the gateway's keyid: the known key does not verify it
        Envelope wrongSignature = Envelope.of(aliceSigned.payloadType(), aliceSigned.payloadBytes(), List.of(
                new Envelope.Signature(Admissions.PKI.of(Admissions.GATEWAY).keyid(),
                        aliceSigned.signatures().get(0).sig())));
        Capsule staging = Admissions.PKI.capsule(s -> s.with(x -> {
            x.capsuleId = "msg-staging-1";
            x.environment = TestPki.STAGING;
        }));
        Capsule stagingV1 = Admissions.PKI.capsule(s -> s.with(x -> {
            x.capsuleId = "msg-staging-v1-1";
            x.environment = TestPki.STAGING;
        }));
        Capsule otherCapsule = Admissions.capsule("msg-other-1", "ledger-api",
                step("count", 60, "sh", "validate.sh", "count", counter.toString()));
        String ledgerBefore = Files.readString(config.workspaces().get("ledger-api").resolve("pom.xml"));

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.group(config.id()))
                    .poison(Topics.ADMISSIONS, "duplicate-keys",
                            utf8("{\"verdict\":\"rejected\",\"verdict\":\"admitted\"}"), "MALFORMED")
                    .poison(Topics.ADMISSIONS, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.ADMISSIONS, "unsigned", StrictJson.write(forged), "MALFORMED")
                    .poison(Topics.ADMISSIONS, "signed-by-alice", Admission.frame(aliceSigned.toJson(),
                            forgedCapsule), "UNKNOWN_KEY")
                    .poison(Topics.ADMISSIONS, "bad-gateway-signature", Admission.frame(wrongSignature.toJson(),
                            forgedCapsule), "SIGNATURE_INVALID")
                    .poison(Topics.ADMISSIONS, "v1-signed-by-alice", Admissions.signedV1(forged, alice),
                            "UNKNOWN_KEY")
                    // the gateway's statement for one capsule, with another capsule beside it
                    .poison(Topics.ADMISSIONS, "other-capsule-beside", Admission.frame(Admissions.statement(forged)
                            .sign(Admissions.PKI.of(Admissions.GATEWAY)).toJson(),
                            Admissions.signedCapsule(otherCapsule)), "DIGEST_MISMATCH")
                    .good(Topics.ADMISSIONS, "gateway-rejection",
                            Admissions.signed(Admissions.rejected("msg-rejected-1", "REPLAY")))
                    .good(Topics.ADMISSIONS, "other-environment",
                            Admissions.signed(Admissions.admitted(staging, "apply")))
                    // written by a gateway before v2: still verified and taken
                    .good(Topics.ADMISSIONS, "v1-other-environment",
                            Admissions.signedV1(Admissions.admitted(stagingV1, "apply")))
                    .verify(Duration.ofSeconds(90));

            for (String id : List.of("msg-forged-1", "msg-rejected-1", "msg-staging-1", "msg-staging-v1-1",
                    "msg-other-1")) {
                assertEquals(List.of(), EvidenceTopic.records(kafka, id), "no evidence from the runner for " + id);
            }
        }
        assertFalse(Files.exists(counter), "the forged admission's validation must not run");
        assertEquals(ledgerBefore, Files.readString(config.workspaces().get("ledger-api").resolve("pom.xml")));
    }

    @Test
    void publisherWritesKeyBytesAndCloudEventsHeaders() throws Exception {
        byte[] value = utf8("{\"schema\":\"x\"}");
        evidenceRawPublisher.publish("capsule-42", "application/vnd.in-toto+json", value)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> written = EvidenceTopic.records(kafka, "capsule-42");
            assertEquals(1, written.size());
            ConsumerRecord<String, byte[]> record = written.get(0);
            assertArrayEquals(value, record.value());
            assertEquals("application/vnd.in-toto+json", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals("urn:airlock:runner-service",
                    KafkaTestClient.header(record, Topics.CE_SOURCE).orElseThrow());
            assertEquals("1.0", KafkaTestClient.header(record, Topics.CE_SPECVERSION).orElseThrow());
            assertTrue(KafkaTestClient.header(record, Topics.CE_ID).isPresent());
            assertTrue(KafkaTestClient.header(record, Topics.CE_TIME).orElseThrow().endsWith("Z"));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
