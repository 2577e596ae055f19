package dev.airlock.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.testing.Fixtures;
import dev.airlock.gateway.testing.GatewayTestResource;
import dev.airlock.gateway.testing.MutableClock;
import dev.airlock.gateway.testing.Outputs;
import dev.airlock.gateway.testing.TestKafka;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Diode freshness (issue «Enclave execution»): without a signed heartbeat within the window the gateway raises one
 * freeze alarm on {@code airlock.diode.health.v1} and holds inbound records — nothing admitted, nothing rejected, nothing
 * lost — until a heartbeat signed by a {@code bridge} principal of the policy arrives.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.INBOUND + "," + Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW + "," + Topics.DIODE_HEALTH))
@WithTestResource(PostgresResource.class)
@WithTestResource(GatewayTestResource.class)
class DiodeFreezeTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @InjectPostgres
    PostgresServer db;

    @Inject
    MutableClock clock;

    @ConfigProperty(name = "airlock.gateway.status-file")
    Path statusFile;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void aStaleDiodeFreezesAdmissionUntilASignedHeartbeatArrives() throws Exception {
        Fixtures f = Fixtures.atTestClock();
        try (TestKafka kafka = new TestKafka(broker)) {
            Instant lastBeat = clock.instant();
            kafka.send(Topics.DIODE_HEALTH, "capsules", Fixtures.heartbeat(lastBeat));
            await().atMost(Outputs.TIMEOUT).until(() -> lastBeat.equals(parse(status().path("lastHeartbeat"))));
            int alarmsBefore = freezeAlarms(kafka).size();

            // two hours without a heartbeat: past the window (and the start-up grace)
            clock.advance(Duration.ofHours(2));
            await().atMost(Outputs.TIMEOUT).until(() -> freezeAlarms(kafka).size() == alarmsBefore + 1);
            JsonNode alarm = StrictJson.readTree(freezeAlarms(kafka).get(alarmsBefore).value(), StrictJson.SIGNED);
            assertEquals("airlock.diode.freeze/v1", alarm.get("schema").asText());
            assertEquals(lastBeat, parse(alarm.get("since")));
            assertEquals("PT2M", alarm.get("window").asText());
            await().atMost(Outputs.TIMEOUT).until(() -> status().path("frozen").asBoolean());

            byte[] capsule = f.admissible();
            String id = AdmissionOverKafkaTest.capsuleId(capsule);
            kafka.send(Topics.INBOUND, id, capsule);
            // neither a heartbeat signed by a non-bridge principal nor one from beyond the clock skew thaws it
            kafka.send(Topics.DIODE_HEALTH, "capsules", Fixtures.heartbeat(clock.instant(), Fixtures.PKI.of("alice"),
                    "alice"));
            kafka.send(Topics.DIODE_HEALTH, "capsules", Fixtures.heartbeat(clock.instant().plus(Duration.ofMinutes(6))));
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() ->
                    kafka.withKey(Topics.ADMISSIONS, id).isEmpty() && noVerdict(id));
            assertTrue(status().path("frozen").asBoolean());

            kafka.send(Topics.DIODE_HEALTH, "capsules", Fixtures.heartbeat(clock.instant()));
            Admission a = new Outputs(kafka).admission(id);
            assertEquals(Verdict.ADMITTED, a.verdict(), a.detail());
            await().atMost(Outputs.TIMEOUT).until(() -> !status().path("frozen").asBoolean());
            assertEquals(alarmsBefore + 1, freezeAlarms(kafka).size(), "one alarm per episode");
        }
    }

    @Test
    void theGatewayDoesNotStartFrozenAndNeverSendsHeartbeatsItself() throws Exception {
        assertTrue(status().path("ready").asBoolean());
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> own = kafka.readAll(Topics.DIODE_HEALTH).stream()
                    .filter(r -> Fixtures.GATEWAY.equals(r.key())).toList();
            for (ConsumerRecord<String, byte[]> r : own) {
                assertEquals("airlock.diode.freeze/v1", KafkaTestClient.header(r, Topics.CE_TYPE).orElseThrow());
            }
        }
        assertEquals(TestPki.PROD, status().path("environment").asText());
    }

    private List<ConsumerRecord<String, byte[]>> freezeAlarms(TestKafka kafka) {
        return kafka.withKey(Topics.DIODE_HEALTH, Fixtures.GATEWAY);
    }

    private boolean noVerdict(String capsuleId) throws Exception {
        try (Connection c = db.connect()) {
            return Outputs.rows(c, "select 1 from verdicts where capsule_id = ?", capsuleId).isEmpty();
        }
    }

    private JsonNode status() throws Exception {
        return Files.exists(statusFile) ? StrictJson.mapper().readTree(Files.readAllBytes(statusFile))
                : StrictJson.mapper().createObjectNode();
    }

    private static Instant parse(JsonNode n) {
        return n == null || !n.isTextual() ? null : StrictJson.parseInstant(n.asText());
    }
}
