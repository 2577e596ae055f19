package dev.airlock.approval.messaging;

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
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.PROPOSALS
                + "," + Topics.DECISIONS
                + "," + Topics.POLICY_SIGNED
                + "," + Topics.CAPSULES_SIGNED))
class ApprovalMessagingTest {

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
    SignedCapsulesPublisher signedCapsulesPublisher;

    @Test
    void poisonIsDeadLetteredWithItsReasonAndEveryConsumerKeepsGoing() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.PROPOSALS, "duplicate-keys", utf8("{\"capsule\":{},\"capsule\":{}}"), "MALFORMED")
                    .poison(Topics.PROPOSALS, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.PROPOSALS, "approval-as-capsule",
                            utf8("{\"capsule\":" + APPROVAL_DSSE + ",\"tier\":\"T1\"}"), "MALFORMED")
                    .good(Topics.PROPOSALS, "proposal", utf8("{\"capsule\":" + CAPSULE_DSSE
                            + ",\"tier\":\"T2\",\"reachability\":{\"reachable\":true},\"summary\":\"bump\"}"))
                    .poison(Topics.DECISIONS, "duplicate-keys",
                            utf8("{\"payloadType\":\"a\",\"payloadType\":\"b\"}"), "MALFORMED")
                    .poison(Topics.DECISIONS, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.DECISIONS, "policy-as-decision", utf8(POLICY_DSSE), "MALFORMED")
                    .good(Topics.DECISIONS, "approval", utf8(APPROVAL_DSSE))
                    .poison(Topics.POLICY_SIGNED, "duplicate-keys",
                            utf8("{\"schema\":\"x\",\"schema\":\"y\"}"), "MALFORMED")
                    .poison(Topics.POLICY_SIGNED, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.POLICY_SIGNED, "extra-envelope-field",
                            utf8(POLICY_DSSE.replace("{\"payloadType\"", "{\"comment\":\"x\",\"payloadType\"")),
                            "MALFORMED")
                    .good(Topics.POLICY_SIGNED, "policy", utf8(POLICY_DSSE))
                    .verify(Duration.ofSeconds(60));
        }
    }

    @Test
    void publisherWritesKeyBytesAndCloudEventsHeaders() throws Exception {
        byte[] value = utf8("{\"schema\":\"x\"}");
        signedCapsulesPublisher.publish("capsule-42", "airlock.signed-capsule/v1", value)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> written = kafka.readAll(Topics.CAPSULES_SIGNED).stream()
                    .filter(r -> "capsule-42".equals(r.key())).toList();
            assertEquals(1, written.size());
            ConsumerRecord<String, byte[]> record = written.get(0);
            assertArrayEquals(value, record.value());
            assertEquals("airlock.signed-capsule/v1", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals("urn:airlock:approval-service",
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
