package dev.airlock.runner.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.config.RunnerConfig;
import dev.airlock.runner.messaging.Channels;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.EvidenceTopic;
import dev.airlock.runner.testing.RunnerFixture;
import dev.airlock.runner.testing.RunnerFixtureResource;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static dev.airlock.runner.testing.Admissions.step;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner as a Kafka consumer: admissions in, signed evidence out, on real git workspaces and a real broker.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW))
@WithTestResource(RunnerFixtureResource.class)
class RunnerServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    RunnerConfig config;

    @Test
    void admittedCapsuleIsAppliedAndItsSignedEvidenceIsSpooledUntilTheBrokerHasIt() throws Exception {
        Capsule c = Admissions.capsule("svc-applied-1", "payments-api", step("build", 120, "sh", "validate.sh", "check"));
        Path ws = config.workspaces().get("payments-api");

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            RecordMetadata sent = kafka.send(Topics.ADMISSIONS, c.capsuleId(),
                    Admissions.signed(Admissions.admitted(c, "apply")));

            List<EvidenceBundles.Verified> bundles = await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> EvidenceTopic.bundles(kafka, c.capsuleId()), b -> !b.isEmpty());
            assertEquals(1, bundles.size());
            EvidenceBundles.Verified v = bundles.get(0);
            assertEquals(Admissions.RUNNER, v.signer());
            assertEquals(Admissions.digest(c), v.statement().capsuleDigest());
            EvidencePredicate p = v.statement().predicate();
            assertEquals("APPLIED", p.outcome(), p::toString);
            assertEquals(TestPki.PROD, p.environment());
            assertEquals(new EvidencePredicate.RollbackRecord(true, true, true), p.rollback());
            ConsumerRecord<String, byte[]> record = EvidenceTopic.records(kafka, c.capsuleId()).get(0);
            assertEquals("application/vnd.in-toto+json", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());

            assertEquals(TestPki.POM_AFTER, Files.readString(ws.resolve("pom.xml")));
            awaitCommittedPast(kafka, sent.offset());
            Path state = config.stateDir();
            await().atMost(WAIT).until(() -> RunnerFixture.list(state.resolve("spool")).isEmpty());
            assertEquals(List.of(), RunnerFixture.list(state.resolve("journal")));
            assertTrue(Files.exists(state.resolve("executed").resolve("svc-applied-1.json")));

            // per-capsule changes reach the status file within StatusReporter.COALESCE_MILLIS
            await().atMost(WAIT).until(() -> StrictJson.readTree(Files.readAllBytes(config.statusFile().orElseThrow()),
                    StrictJson.SIGNED).get("runs").get("APPLIED").asLong() >= 1);
            JsonNode status = StrictJson.readTree(Files.readAllBytes(config.statusFile().orElseThrow()),
                    StrictJson.SIGNED);
            assertEquals("READY", status.get("state").asText());
            assertEquals(Admissions.RUNNER, status.get("runner").asText());
            assertTrue(status.get("runs").get("APPLIED").asLong() >= 1, status::toString);
            String metrics = Files.readString(config.metricsFile().orElseThrow());
            assertTrue(metrics.contains("airlock_runner_up{runner=\"runner.edge-7\"} 1\n"), metrics);
            assertTrue(metrics.contains("# TYPE airlock_runner_runs_total counter\n"), metrics);
            assertTrue(metrics.contains("airlock_runner_spool_bundles{runner=\"runner.edge-7\"} "), metrics);
        }
    }

    @Test
    void repeatedAdmissionIsAcknowledgedAndNotRunAgain(@TempDir Path scratch) throws Exception {
        Path counter = scratch.resolve("runs");
        Capsule c = Admissions.capsule("svc-dup-1", "orders-api",
                step("count", 60, "sh", "validate.sh", "count", counter.toString()));
        byte[] admission = Admissions.signed(Admissions.admitted(c, "apply"));

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.ADMISSIONS, c.capsuleId(), admission);
            kafka.send(Topics.ADMISSIONS, c.capsuleId(), admission); // back to back: while the first runs
            await().atMost(WAIT).until(() -> !EvidenceTopic.records(kafka, c.capsuleId()).isEmpty());
            RecordMetadata late = kafka.send(Topics.ADMISSIONS, c.capsuleId(), admission); // after it finished
            awaitCommittedPast(kafka, late.offset());

            assertEquals(1, EvidenceTopic.bundles(kafka, c.capsuleId()).size());
            assertEquals(List.of("run"), Files.readAllLines(counter), "the validation ran exactly once");
            assertEquals(TestPki.POM_AFTER, Files.readString(config.workspaces().get("orders-api")
                    .resolve("pom.xml")));
        }
    }

    @Test
    void capsuleForARepositoryWithoutWorkspaceIsRejectedWithEvidence() throws Exception {
        Capsule c = Admissions.capsule("svc-no-ws-1", "inventory-api", step("build", 60, "sh", "validate.sh", "check"));

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.ADMISSIONS, c.capsuleId(), Admissions.signed(Admissions.admitted(c, "apply")));
            EvidencePredicate p = awaitEvidence(kafka, c.capsuleId());

            assertEquals("REJECTED", p.outcome());
            assertEquals("NO_WORKSPACE", p.failure().reason());
            assertTrue(p.failure().detail().contains("'inventory-api'"), p.failure().detail());
            assertEquals(List.of(), p.validation());
        }
    }

    @Test
    void admissionWhoseCapsuleIsNotTheAdmittedDigestIsRejectedAndChangesNothing() throws Exception {
        Capsule c = Admissions.capsule("svc-digest-1", "billing-api", step("build", 60, "sh", "validate.sh", "check"));
        Capsule other = Admissions.capsule("svc-digest-1", "billing-api",
                step("build", 60, "sh", "validate.sh", "fail"));
        // the gateway admitted `other`, but the admission carries `c`
        Admission mixed = Admissions.admitted(c, "apply", Admissions.digest(other), Admissions.signedCapsule(c));
        Path ws = config.workspaces().get("billing-api");

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.ADMISSIONS, c.capsuleId(), Admissions.signed(mixed));
            List<EvidenceBundles.Verified> bundles = await().atMost(WAIT)
                    .until(() -> EvidenceTopic.bundles(kafka, c.capsuleId()), b -> !b.isEmpty());

            EvidencePredicate p = bundles.get(0).statement().predicate();
            assertEquals("REJECTED", p.outcome());
            assertEquals("DIGEST_MISMATCH", p.failure().reason());
            assertEquals(Admissions.digest(other), bundles.get(0).statement().capsuleDigest());
            assertEquals(TestPki.POM_BEFORE, Files.readString(ws.resolve("pom.xml")));
        }
    }

    @Test
    void validationLongerThanMaxPollIntervalKeepsTheRunnerInItsGroup() throws Exception {
        Capsule c = Admissions.capsule("svc-slow-1", "audit-api", step("slow", 60, "sh", "validate.sh", "sleep", "8"));
        String group = Channels.group(config.id());

        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            await().atMost(WAIT).until(() -> kafka.groupIsStable(group, 1));
            String member = member(kafka, group);
            RecordMetadata sent = kafka.send(Topics.ADMISSIONS, c.capsuleId(),
                    Admissions.signed(Admissions.admitted(c, "apply")));

            EvidencePredicate p = awaitEvidence(kafka, c.capsuleId());
            assertEquals("APPLIED", p.outcome(), p::toString);
            assertTrue(p.validation().get(0).durationMs() > Long.parseLong(RunnerFixtureResource.MAX_POLL_INTERVAL_MS),
                    "the validation outlasted max.poll.interval.ms");
            awaitCommittedPast(kafka, sent.offset());
            assertEquals(member, member(kafka, group), "the runner was never dropped from its group");
            assertEquals(1, EvidenceTopic.records(kafka, c.capsuleId()).size());
        }
    }

    private static String member(KafkaTestClient kafka, String group) {
        return kafka.describeGroup(group).orElseThrow().members().iterator().next().consumerId();
    }

    private static EvidencePredicate awaitEvidence(KafkaTestClient kafka, String capsuleId) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> EvidenceTopic.bundles(kafka, capsuleId), b -> !b.isEmpty())
                .get(0).statement().predicate();
    }

    private void awaitCommittedPast(KafkaTestClient kafka, long offset) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            OptionalLong committed = kafka.committedOffset(Channels.group(config.id()),
                    new TopicPartition(Topics.ADMISSIONS, 0));
            return committed.isPresent() && committed.getAsLong() > offset;
        });
    }
}
