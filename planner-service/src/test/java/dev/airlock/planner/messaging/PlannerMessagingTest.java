package dev.airlock.planner.messaging;

import dev.airlock.core.events.Topics;
import dev.airlock.core.testing.TestPki;
import dev.airlock.planner.PlannerFixture;
import dev.airlock.planner.RealData;
import dev.airlock.testsupport.kafka.DeadLetterCheck;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.FINDINGS + "," + Topics.PROPOSALS + "," + Topics.POLICY_SIGNED))
@WithTestResource(PostgresResource.class)
@WithTestResource(PlannerFixture.class)
class PlannerMessagingTest {

    static final byte[] NOT_JSON = {0, (byte) 0xff, 'n', 'o', 'p', 'e'};

    @InjectKafkaBroker
    KafkaBroker broker;
    @InjectPostgres
    PostgresServer db;

    @Inject
    ProposalsPublisher proposalsPublisher;

    @Test
    void poisonFindingsAreDeadLetteredWithTheirPointerAndTheConsumerKeepsGoing() throws Exception {
        String danglingSbom = "{\"schema\":\"airlock.intake/v1\",\"kind\":\"cyclonedx\",\"name\":\"poison-sbom\","
                + "\"document\":" + new String(RealData.bytes(RealData.SBOM), StandardCharsets.UTF_8)
                .replace("\n        \"pkg:maven/org.codehaus.plexus/plexus-utils@3.0.22?type=jar\",",
                        "\n        \"pkg:maven/org.example/not-in-the-bom@1.0?type=jar\",") + "}";
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.FINDINGS, "duplicate-keys", utf8("{\"ruleId\":\"a\",\"ruleId\":\"b\"}"), "MALFORMED")
                    .poison(Topics.FINDINGS, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.FINDINGS, "unknown-schema", utf8("{\"schema\":\"airlock.capsule/v1\"}"),
                            "MALFORMED")
                    .poison(Topics.FINDINGS, "dangling-dependency", utf8(danglingSbom), "MALFORMED")
                    .good(Topics.FINDINGS, "sarif-result",
                            utf8("{\"ruleId\":\"java/log4shell\",\"message\":{\"text\":\"JNDI lookup\"}}"))
                    .good(Topics.FINDINGS, "osv-entry", RealData.bytes(RealData.OSV_LOG4SHELL))
                    .verify(Duration.ofSeconds(60));
            ConsumerRecord<String, byte[]> letter = kafka.readAll(Topics.dlq(Topics.FINDINGS)).stream()
                    .filter(r -> r.key().startsWith("dangling-dependency-")).findFirst().orElseThrow();
            assertEquals("at /document/dependencies/2/dependsOn/0: names no component of the BOM",
                    KafkaTestClient.header(letter, Topics.DLQ_DETAIL).orElseThrow());
        }
        assertEquals(0, count("SELECT count(*) FROM sboms WHERE name = 'poison-sbom'"));
        assertEquals(1, count("SELECT count(*) FROM findings WHERE rule_id = 'java/log4shell'"));
        assertTrue(count("SELECT count(*) FROM inbox WHERE topic = '" + Topics.FINDINGS + "'") >= 2);
    }

    @Test
    void policiesThatDoNotVerifyAreDeadLetteredAndThePolicyInForceStays() throws Exception {
        TestPki pki = new TestPki();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            new DeadLetterCheck(kafka, Channels.GROUP)
                    .poison(Topics.POLICY_SIGNED, "not-json", NOT_JSON, "MALFORMED")
                    .poison(Topics.POLICY_SIGNED, "one-root-only",
                            pki.signPolicy(pki.policy(2), pki.root(1)), "POLICY_INVALID")
                    .poison(Topics.POLICY_SIGNED, "skips-a-version",
                            pki.signPolicy(pki.policy(3), pki.root(1), pki.root(2)), "POLICY_INVALID")
                    .good(Topics.POLICY_SIGNED, "installed-again",
                            pki.signPolicy(pki.policy(1), pki.root(1), pki.root(2)))
                    .verify(Duration.ofSeconds(60));
        }
        assertEquals(1, count("SELECT count(*) FROM policies"));
        assertEquals(1, count("SELECT max(version) FROM policies"));
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

    long count(String sql) throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
