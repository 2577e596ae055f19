package dev.airlock.evidence.messaging;

import dev.airlock.core.events.Topics;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(dev.airlock.evidence.EvidenceFixturesResource.class)
@WithTestResource(dev.airlock.testsupport.postgres.PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = dev.airlock.evidence.Stack.TOPICS))
class EvidenceMessagingTest {

    static final String CAPSULE_DSSE = """
            {"payloadType":"application/vnd.airlock.capsule.v1+json","payload":"eyJzY2hlbWEiOiJ4In0=",\
            "signatures":[{"keyid":"k1","sig":"c2ln"}]}""";
    static final String APPROVAL_DSSE = """
            {"payloadType":"application/vnd.airlock.approval.v1+json","payload":"e30=",\
            "signatures":[{"keyid":"k2","sig":"c2ln"}]}""";
    static final String POLICY_DSSE = """
            {"payloadType":"application/vnd.airlock.policy.v1+json","payload":"e30=",\
            "signatures":[{"keyid":"root-1","sig":"c2ln"}]}""";
    static final String IN_TOTO_DSSE = """
            {"payloadType":"application/vnd.in-toto+json","payload":"e30=",\
            "signatures":[{"keyid":"runner-7","sig":"c2ln"}]}""";
    static final byte[] NOT_JSON = {0, (byte) 0xff, 'n', 'o', 'p', 'e'};

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    EvidenceMetadataPublisher evidenceMetadataPublisher;

    @Test
    void poisonIsDeadLetteredWithItsReasonAndEveryConsumerKeepsGoing() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.EVIDENCE_RAW, "duplicate-keys",
                            utf8("{\"payload\":\"e30=\",\"payload\":\"e30=\"}"), "MALFORMED")
                    .poison(Topics.EVIDENCE_RAW, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.EVIDENCE_RAW, "capsule-as-evidence", utf8(CAPSULE_DSSE), "MALFORMED")
                    // a DSSE envelope of an in-toto Statement is not poison even when it does not verify: it is
                    // quarantined with its reason (EvidenceLogTest), not dead-lettered
                    .good(Topics.EVIDENCE_RAW, "bundle", utf8(IN_TOTO_DSSE))
                    .poison(Topics.DIODE_HEALTH, "duplicate-keys",
                            utf8("{\"schema\":\"airlock.diode.health/v1\",\"schema\":\"y\"}"), "MALFORMED")
                    .poison(Topics.DIODE_HEALTH, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.DIODE_HEALTH, "other-schema", utf8("{\"schema\":\"airlock.policy/v1\"}"),
                            "MALFORMED")
                    .good(Topics.DIODE_HEALTH, "heartbeat",
                            utf8("{\"schema\":\"airlock.diode.health/v1\",\"heartbeats\":3,\"gaps\":0}"))
                    .verify(Duration.ofSeconds(60));
        }
    }

    @Test
    void publisherWritesKeyBytesAndCloudEventsHeaders() throws Exception {
        byte[] value = utf8("{\"schema\":\"x\"}");
        evidenceMetadataPublisher.publish("capsule-42", "airlock.evidence.metadata/v1", value)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> written = kafka.readAll(Topics.EVIDENCE_METADATA).stream()
                    .filter(r -> "capsule-42".equals(r.key())).toList();
            assertEquals(1, written.size());
            ConsumerRecord<String, byte[]> record = written.get(0);
            assertArrayEquals(value, record.value());
            assertEquals("airlock.evidence.metadata/v1", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals("urn:airlock:evidence-service",
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
