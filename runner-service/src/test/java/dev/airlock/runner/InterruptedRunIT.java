package dev.airlock.runner;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.domain.ProcessReaper;
import dev.airlock.runner.domain.RunJournal;
import dev.airlock.runner.messaging.Channels;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.EvidenceTopic;
import dev.airlock.runner.testing.GitWorkspace;
import dev.airlock.runner.testing.RunnerFixture;
import dev.airlock.runner.testing.RunnerProcess;
import dev.airlock.runner.testing.StepProcesses;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.process.JavaApp;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static dev.airlock.runner.testing.Admissions.step;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §7 step 5 with a real crash: the packaged runner is SIGKILLed while a validation runs (the change is in
 * the workspace, the validation's processes keep running), then started again. It must kill the orphaned validation,
 * restore the before-state, emit signed {@code INTERRUPTED} evidence, and not run the redelivered admission again
 * (SECURITY-TESTS F.33).
 */
class InterruptedRunIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    /** The killed runner's group membership lapses after this; the broker's minimum, so the restart is not kept waiting. */
    private static final String[] SESSION_TIMEOUT = {
        "mp.messaging.incoming.\"airlock.admissions.v1-in\".session.timeout.ms", "6000"};

    @Test
    void runnerKilledDuringValidationRestoresTheBeforeStateAndReportsInterrupted() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(); KafkaTestClient kafka = new KafkaTestClient(broker);
             RunnerFixture fixture = RunnerFixture.create("payments-api")) {
            broker.createTopics(Topics.ADMISSIONS, Topics.EVIDENCE_RAW, Topics.dlq(Topics.ADMISSIONS));
            GitWorkspace ws = fixture.workspace("payments-api");
            Path sleeperPid = fixture.root().resolve("sleeper.pid");
            Capsule c = Admissions.capsule("it-kill-1", "payments-api",
                    step("build", 600, "sh", "validate.sh", "tree", sleeperPid.toString()));

            RecordMetadata sent;
            JavaApp first = RunnerProcess.start(fixture, broker.bootstrapServers(), "runner-it-kill-first.log",
                    SESSION_TIMEOUT);
            try {
                sent = kafka.send(Topics.ADMISSIONS, c.capsuleId(), Admissions.signed(Admissions.admitted(c, "apply")));
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .failFast("runner exited: " + first.logText(), () -> !first.isAlive())
                        .until(() -> Files.exists(sleeperPid) && "VALIDATING".equals(journalPhase(fixture)));
                assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "killed mid-run: the change is in place");
                RunnerProcess.kill9(first);
            } finally {
                first.close();
            }
            List<Long> step = StepProcesses.in(ws.root());
            assertFalse(step.isEmpty(), "the validation outlives the killed runner");
            assertEquals(List.of(), EvidenceTopic.records(kafka, c.capsuleId()));

            JavaApp second = RunnerProcess.start(fixture, broker.bootstrapServers(), "runner-it-kill-second.log",
                    SESSION_TIMEOUT);
            try {
                List<EvidenceBundles.Verified> bundles = await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                        .failFast("runner exited: " + second.logText(), () -> !second.isAlive())
                        .until(() -> EvidenceTopic.bundles(kafka, c.capsuleId()), b -> !b.isEmpty());
                EvidencePredicate p = bundles.get(0).statement().predicate();
                assertEquals("INTERRUPTED", p.outcome(), p::toString);
                assertEquals("INTERRUPTED", p.failure().reason());
                assertTrue(p.failure().detail().contains("phase VALIDATING (validation step build)"),
                        p.failure().detail());
                assertEquals(new EvidencePredicate.RollbackRecord(false, true, null), p.rollback());
                assertEquals(Admissions.digest(c), bundles.get(0).statement().capsuleDigest());

                assertEquals(TestPki.POM_BEFORE, ws.read("pom.xml"));
                assertEquals("", ws.status());
                assertEquals(List.of(), StepProcesses.in(ws.root()), "the orphaned validation is killed at start-up");
                assertTrue(step.stream().noneMatch(ProcessReaper::running), step::toString);
                assertEquals(List.of(), fixture.state("journal"));

                // The admission was never acknowledged, so it is delivered again: acknowledged, not run again.
                await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                    OptionalLong committed = kafka.committedOffset(Channels.group(Admissions.RUNNER),
                            new TopicPartition(Topics.ADMISSIONS, 0));
                    return committed.isPresent() && committed.getAsLong() > sent.offset();
                });
                await().atMost(WAIT).until(() -> fixture.state("spool").isEmpty());
                assertEquals(1, EvidenceTopic.records(kafka, c.capsuleId()).size());
                assertEquals(TestPki.POM_BEFORE, ws.read("pom.xml"));
                assertTrue(second.isAlive(), second::logText);
            } finally {
                second.close();
            }
        }
    }

    private static String journalPhase(RunnerFixture fixture) throws Exception {
        for (Path dir : fixture.state("journal")) {
            if (Files.exists(dir.resolve("journal.log"))) {
                return RunJournal.read(dir).phase().name();
            }
        }
        return null;
    }
}
