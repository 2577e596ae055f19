package dev.airlock.planner.messaging;

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
        value = Topics.FINDINGS
                + "," + Topics.PROPOSALS))
class PlannerMessagingTest {

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
    ProposalsPublisher proposalsPublisher;

    @Test
    void poisonIsDeadLetteredWithItsReasonAndEveryConsumerKeepsGoing() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.FINDINGS, "duplicate-keys", utf8("{\"ruleId\":\"a\",\"ruleId\":\"b\"}"), "MALFORMED")
                    .poison(Topics.FINDINGS, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.FINDINGS, "unknown-shape", utf8("{\"schema\":\"airlock.capsule/v1\"}"), "MALFORMED")
                    .poison(Topics.FINDINGS, "float", utf8("{\"id\":\"GHSA-1\",\"modified\":\"x\",\"cvss\":9.8}"),
                            "MALFORMED")
                    .good(Topics.FINDINGS, "sarif-result",
                            utf8("{\"ruleId\":\"java/log4shell\",\"message\":{\"text\":\"JNDI lookup\"}}"))
                    .good(Topics.FINDINGS, "osv-entry",
                            utf8("{\"id\":\"GHSA-jfh8-c2jp-5v3q\",\"modified\":\"2021-12-10T00:00:00Z\"}"))
                    .verify(Duration.ofSeconds(60));
        }
    }

    @Test
    void publisherWritesKeyBytesAndCloudEventsHeaders() throws Exception {
        byte[] value = utf8("{\"schema\":\"x\"}");
        proposalsPublisher.publish("capsule-42", "airlock.proposal/v1", value)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> written = kafka.readAll(Topics.PROPOSALS).stream()
                    .filter(r -> "capsule-42".equals(r.key())).toList();
            assertEquals(1, written.size());
            ConsumerRecord<String, byte[]> record = written.get(0);
            assertArrayEquals(value, record.value());
            assertEquals("airlock.proposal/v1", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals("urn:airlock:planner-service",
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
