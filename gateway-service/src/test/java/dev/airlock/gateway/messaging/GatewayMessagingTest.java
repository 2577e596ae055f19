package dev.airlock.gateway.messaging;

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
        value = Topics.INBOUND + "," + Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW + "," + Topics.DIODE_HEALTH))
class GatewayMessagingTest {

    static final String CAPSULE_DSSE = """
            {"payloadType":"application/vnd.airlock.capsule.v1+json","payload":"eyJzY2hlbWEiOiJ4In0=",\
            "signatures":[{"keyid":"k1","sig":"c2ln"}]}""";
    static final String APPROVAL_DSSE = """
            {"payloadType":"application/vnd.airlock.approval.v1+json","payload":"e30=",\
            "signatures":[{"keyid":"k2","sig":"c2ln"}]}""";
    static final String SIGNED_CAPSULE = "{\"schema\":\"airlock.signed-capsule/v1\",\"capsule\":" + CAPSULE_DSSE
            + ",\"approvals\":[" + APPROVAL_DSSE + "]}";
    static final String POLICY_DSSE = """
            {"payloadType":"application/vnd.airlock.policy.v1+json","payload":"e30=",\
            "signatures":[{"keyid":"root-1","sig":"c2ln"}]}""";

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    AdmissionsPublisher admissions;

    @Test
    void poisonOnInboundIsDeadLetteredWithItsReasonAndTheConsumerKeepsGoing() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .good(Topics.INBOUND, "signed-capsule", utf8(SIGNED_CAPSULE))
                    .poison(Topics.INBOUND, "duplicate-keys",
                            utf8("{\"schema\":\"airlock.signed-capsule/v1\",\"schema\":\"x\"}"), "MALFORMED")
                    .poison(Topics.INBOUND, "not-json", new byte[] {0, (byte) 0xff, 'n', 'o', 'p', 'e'}, "MALFORMED")
                    .poison(Topics.INBOUND, "unknown-schema", utf8("{\"schema\":\"airlock.capsule/v1\"}"), "MALFORMED")
                    .poison(Topics.INBOUND, "capsule-as-policy",
                            utf8(CAPSULE_DSSE), "MALFORMED")
                    .poison(Topics.INBOUND, "signed-capsule-bad-base64",
                            utf8(SIGNED_CAPSULE.replace("eyJzY2hlbWEiOiJ4In0=", "not*base64")), "MALFORMED")
                    .poison(Topics.INBOUND, "trailing-data", utf8(POLICY_DSSE + " {}"), "MALFORMED")
                    .good(Topics.INBOUND, "signed-policy", utf8(POLICY_DSSE))
                    .verify(Duration.ofSeconds(60));
        }
    }

    @Test
    void publisherWritesKeyBytesAndCloudEventsHeaders() throws Exception {
        byte[] value = utf8("{\"verdict\":\"admitted\"}");
        admissions.publish("capsule-42", "airlock.admission/v1", value).toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> written = kafka.readAll(Topics.ADMISSIONS).stream()
                    .filter(r -> "capsule-42".equals(r.key())).toList();
            assertEquals(1, written.size());
            ConsumerRecord<String, byte[]> record = written.get(0);
            assertArrayEquals(value, record.value());
            assertEquals("airlock.admission/v1", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals("urn:airlock:gateway-service", KafkaTestClient.header(record, Topics.CE_SOURCE).orElseThrow());
            assertEquals("1.0", KafkaTestClient.header(record, Topics.CE_SPECVERSION).orElseThrow());
            assertTrue(KafkaTestClient.header(record, Topics.CE_ID).isPresent());
            assertTrue(KafkaTestClient.header(record, Topics.CE_TIME).orElseThrow().endsWith("Z"));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
