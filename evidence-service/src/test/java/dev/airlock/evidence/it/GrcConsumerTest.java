package dev.airlock.evidence.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.SanitizedEvidence;
import dev.airlock.core.json.StrictJson;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.Stack;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A GRC consumer's view of the outbound-facing topics: a plain Kafka consumer and {@code kcat} (Debian package) read
 * {@code airlock.evidence.sanitized.v1} and {@code airlock.evidence.metadata.v1}; no stdout, stderr or path content
 * the environment did not allow is there, the re-signature verifies, and local-only environments put nothing on any
 * outbound-facing topic. A policy rotation changes the projection from that point on.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class GrcConsumerTest {
    static final List<String> SECRETS = List.of(Fixtures.SECRET_STDOUT, Fixtures.SECRET_STDERR, Fixtures.SECRET_PATH,
            "SECRET-", "hunter2", "/home/build");

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void outboundTopicsCarryOnlyWhatEachEnvironmentAllows() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "grc-sanitized", Fixtures.bundle("grc-sanitized", Fixtures.SANITIZED_ENV,
                    "ROLLED_BACK"));
            kafka.send(Topics.EVIDENCE_RAW, "grc-metadata", Fixtures.bundle("grc-metadata", Fixtures.METADATA_ENV,
                    "APPLIED"));
            kafka.send(Topics.EVIDENCE_RAW, "grc-local", Fixtures.bundle("grc-local", Fixtures.LOCAL_ENV, "APPLIED"));
            Api.awaitEntries("grc-local", 1);
            long sanitizedIndex = Api.awaitEntries("grc-sanitized", 1);
            long metadataIndex = Api.awaitEntries("grc-metadata", 1);

            await().atMost(Duration.ofSeconds(60)).until(() ->
                    keys(kafka.readAll(Topics.EVIDENCE_SANITIZED)).contains("grc-sanitized")
                            && keys(kafka.readAll(Topics.EVIDENCE_METADATA)).contains("grc-metadata"));
            List<ConsumerRecord<String, byte[]>> sanitized = kafka.readAll(Topics.EVIDENCE_SANITIZED);
            List<ConsumerRecord<String, byte[]>> metadata = kafka.readAll(Topics.EVIDENCE_METADATA);

            // Each projection was acknowledged by the broker and recorded as such (the outbox flag), local-only none.
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Api.json("/api/bundles/grc-sanitized").getString("entries[0].projectedAt") != null
                            && Api.json("/api/bundles/grc-metadata").getString("entries[0].projectedAt") != null);
            assertEquals(null, Api.json("/api/bundles/grc-local").getString("entries[0].projectedAt"));
            // Nothing went to the dead-letter topic on the way.
            assertTrue(kafka.readAll(Topics.dlq(Topics.EVIDENCE_RAW)).stream()
                    .noneMatch(r -> r.key() != null && r.key().startsWith("grc-")), "dead-lettered grc records");

            // Nothing a local-only environment produced, and each mode on its own topic only.
            assertFalse(keys(sanitized).contains("grc-local"));
            assertFalse(keys(metadata).contains("grc-local"));
            assertFalse(keys(sanitized).contains("grc-metadata"));
            assertFalse(keys(metadata).contains("grc-sanitized"));
            for (ConsumerRecord<String, byte[]> r : concat(sanitized, metadata)) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                String decoded = value;
                if (r.topic().equals(Topics.EVIDENCE_SANITIZED)) {
                    decoded += new String(Base64.getDecoder().decode(
                            StrictJson.readTree(r.value(), StrictJson.SIGNED).get("payload").asText()),
                            StandardCharsets.UTF_8);
                }
                for (String secret : SECRETS) {
                    assertFalse(decoded.contains(secret), () -> secret + " leaked on " + r.topic() + ": " + value);
                }
            }

            // The sanitized projection: re-signed by the evidence key, allowed pointers in clear, the rest digests.
            ConsumerRecord<String, byte[]> s = sanitized.stream().filter(r -> r.key().equals("grc-sanitized"))
                    .findFirst().orElseThrow();
            assertEquals(PayloadTypes.SANITIZED_EVIDENCE, KafkaTestClient.header(s, Topics.CE_TYPE).orElseThrow());
            var v = SanitizedEvidence.verify(s.value(), Fixtures.trusted());
            assertEquals(Fixtures.LOG, v.signer());
            assertEquals(sanitizedIndex, v.evidence().logIndex());
            assertEquals(Fixtures.ALLOW, v.evidence().sanitizedAllow());
            JsonNode st = v.evidence().statement();
            JsonNode p = st.get("predicate");
            assertEquals("capsule:grc-sanitized", st.get("subject").get(0).get("name").asText());
            assertEquals("grc-sanitized", p.get("capsuleId").asText());
            assertEquals("ROLLED_BACK", p.get("outcome").asText());
            assertEquals(1, p.get("validation").get(0).get("exitCode").asInt());
            // A redacted value is the SHA-256 of its RFC 8785 JSON: the holder of the original can match it.
            assertEquals("sha256:" + Hex.sha256Hex(("\"" + Fixtures.SECRET_STDOUT + "\"")
                            .getBytes(StandardCharsets.UTF_8)),
                    p.get("validation").get(0).get("stdout").get("redacted").asText());
            assertTrue(p.get("beforeState").get("files").get(1).get("path").has("redacted"));
            assertTrue(p.get("environment").has("redacted"), "not in sanitizedAllow: redacted (fail closed)");
            assertTrue(p.get("validation").get(0).get("argv").get(0).has("redacted"));

            // The metadata record of §4.
            JsonNode m = StrictJson.readTree(metadata.stream().filter(r -> r.key().equals("grc-metadata"))
                    .findFirst().orElseThrow().value(), StrictJson.SIGNED);
            assertEquals("airlock.evidence.metadata/v1", m.get("schema").asText());
            assertEquals(Fixtures.METADATA_ENV, m.get("environment").asText());
            assertEquals("APPLIED", m.get("outcome").asText());
            assertEquals("T2", m.get("tier").asText());
            assertEquals(1, m.get("policyVersion").asLong());
            assertEquals(2, m.get("approverCount").asInt());
            assertEquals(metadataIndex, m.get("logIndex").asLong());
            assertEquals(64, m.get("leafHash").asText().length());
            assertEquals(List.of("schema", "capsuleId", "environment", "tier", "outcome", "policyVersion",
                    "approverCount", "startedAt", "finishedAt", "logIndex", "leafHash"), fields(m));
        }
    }

    @Test
    void kcatSeesTheSameSanitizedRecordsAndNoSecret() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "grc-kcat", Fixtures.bundle("grc-kcat", Fixtures.SANITIZED_ENV, "APPLIED"));
            Api.awaitEntries("grc-kcat", 1);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> keys(kafka.readAll(Topics.EVIDENCE_SANITIZED)).contains("grc-kcat"));
        }
        String out = kcat("-b", broker.bootstrapServers(), "-C", "-t", Topics.EVIDENCE_SANITIZED, "-e", "-q",
                "-f", "%k\\t%s\\n");
        String line = out.lines().filter(l -> l.startsWith("grc-kcat\t")).findFirst()
                .orElseThrow(() -> new AssertionError("kcat did not show grc-kcat:\n" + out));
        byte[] value = line.substring("grc-kcat\t".length()).getBytes(StandardCharsets.UTF_8);
        var v = SanitizedEvidence.verify(value, Fixtures.trusted());
        assertEquals("APPLIED", v.evidence().statement().get("predicate").get("outcome").asText());
        String payload = new String(v.envelope().payloadBytes(), StandardCharsets.UTF_8);
        for (String secret : SECRETS) {
            assertFalse(out.contains(secret) || payload.contains(secret), secret);
        }
        assertFalse(out.contains("grc-local"));
    }

    @Test
    void aPolicyRotationChangesTheProjectionFromThatPointOn() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "rotation-1", Fixtures.bundle("rotation-1", Fixtures.ROTATION_ENV,
                    "APPLIED"));
            Api.awaitEntries("rotation-1", 1);
            kafka.send(Topics.INBOUND, "policy", Fixtures.policyV2Bytes());
            await().atMost(Duration.ofSeconds(60)).until(() -> StrictJson.readTree(Base64.getDecoder().decode(
                    Api.json("/api/policy").getString("payload")), StrictJson.SIGNED).get("version").asLong() == 2);
            kafka.send(Topics.EVIDENCE_RAW, "rotation-2", Fixtures.bundle("rotation-2", Fixtures.ROTATION_ENV,
                    "APPLIED"));
            Api.awaitEntries("rotation-2", 1);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    keys(kafka.readAll(Topics.EVIDENCE_SANITIZED)).contains("rotation-2")
                            && keys(kafka.readAll(Topics.EVIDENCE_METADATA)).contains("rotation-1"));
            assertFalse(keys(kafka.readAll(Topics.EVIDENCE_SANITIZED)).contains("rotation-1"));
            assertFalse(keys(kafka.readAll(Topics.EVIDENCE_METADATA)).contains("rotation-2"));
            assertEquals("metadata-only", Api.json("/api/bundles/rotation-1").getString("entries[0].egress"));
            assertEquals("sanitized", Api.json("/api/bundles/rotation-2").getString("entries[0].egress"));
            assertEquals(2, Api.json("/api/bundles/rotation-2").getLong("entries[0].policyVersion"));
        }
    }

    @Test
    void aBurstOfBundlesIsProjectedOnceEachAndEveryLeafFlaggedProjected() throws Exception {
        int n = 40;
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "grc-burst-" + i;
                ids.add(id);
                kafka.send(Topics.EVIDENCE_RAW, id, Fixtures.bundle(id, Fixtures.SANITIZED_ENV, "APPLIED"));
            }
            for (String id : ids) {
                Api.awaitEntries(id, 1);
            }
            // The flags are written by group updates once the broker acknowledged each projection: every leaf has one.
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id ->
                    Api.json("/api/bundles/" + id).getString("entries[0].projectedAt") != null));
            // Flagged by the group update, not by the outbox relay (which re-publishes a leaf whose flag is missing
            // after 5 s, and would leave a second record): each is published exactly once, through the relay's next
            // round (every 10 s) and beyond.
            await().during(Duration.ofSeconds(16)).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        List<String> published = keys(kafka.readAll(Topics.EVIDENCE_SANITIZED));
                        for (String id : ids) {
                            assertEquals(1, published.stream().filter(id::equals).count(), id + " published once");
                        }
                    });
        }
    }

    private static String kcat(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("kcat"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("kcat (Debian package kcat) is required for the GRC consumer check: " + e.getMessage());
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    private static List<String> keys(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).toList();
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @SafeVarargs
    private static List<ConsumerRecord<String, byte[]>> concat(List<ConsumerRecord<String, byte[]>>... lists) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        for (var l : lists) {
            out.addAll(l);
        }
        return out;
    }
}
