package dev.airlock.runner;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.EvidenceTopic;
import dev.airlock.runner.testing.RunnerFixture;
import dev.airlock.runner.testing.RunnerProcess;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.process.JavaApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.airlock.runner.testing.Admissions.step;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §7 step 5: evidence is spooled on disk until the broker acknowledges it. The broker goes away while a
 * validation runs; the finished run's signed bundle waits in the spool; the runner host restarts against a broker that
 * is back and the bundle is delivered, then removed from the spool.
 */
class SpoolResendIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void evidenceFinishedWhileTheBrokerIsAwayIsSentAfterARestart() throws Exception {
        try (RunnerFixture fixture = RunnerFixture.create("payments-api")) {
            Path validationPid = fixture.root().resolve("validation.pid");
            Path go = fixture.root().resolve("go");
            Capsule c = Admissions.capsule("it-spool-1", "payments-api",
                    step("build", 600, "sh", "validate.sh", "block", validationPid.toString(), go.toString()));

            KafkaBroker away = KafkaBroker.start();
            JavaApp first;
            try {
                away.createTopics(Topics.ADMISSIONS, Topics.EVIDENCE_RAW, Topics.dlq(Topics.ADMISSIONS));
                first = RunnerProcess.start(fixture, away.bootstrapServers(), "runner-it-spool-first.log");
                try (KafkaTestClient kafka = new KafkaTestClient(away)) {
                    kafka.send(Topics.ADMISSIONS, c.capsuleId(), Admissions.signed(Admissions.admitted(c, "apply")));
                }
                JavaApp running = first;
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .failFast("runner exited: " + running.logText(), () -> !running.isAlive())
                        .until(() -> Files.exists(validationPid));
            } finally {
                away.close(); // the broker goes away while the validation runs
            }
            try {
                Files.createFile(go);
                // The run finishes without a broker: its bundle is spooled and stays there.
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .until(() -> fixture.state("spool").size() == 1 && fixture.state("journal").isEmpty());
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> fixture.state("spool").size() == 1);
                assertEquals(TestPki.POM_AFTER, fixture.workspace("payments-api").read("pom.xml"));
                RunnerProcess.kill9(first);
            } finally {
                first.close();
            }

            try (KafkaBroker back = KafkaBroker.start(); KafkaTestClient kafka = new KafkaTestClient(back)) {
                back.createTopics(Topics.ADMISSIONS, Topics.EVIDENCE_RAW, Topics.dlq(Topics.ADMISSIONS));
                JavaApp second = RunnerProcess.start(fixture, back.bootstrapServers(), "runner-it-spool-second.log");
                try {
                    List<EvidenceBundles.Verified> bundles = await().atMost(WAIT)
                            .pollInterval(Duration.ofMillis(250))
                            .failFast("runner exited: " + second.logText(), () -> !second.isAlive())
                            .until(() -> EvidenceTopic.bundles(kafka, c.capsuleId()), b -> !b.isEmpty());
                    EvidencePredicate p = bundles.get(0).statement().predicate();
                    assertEquals("APPLIED", p.outcome(), p::toString);
                    assertEquals(Admissions.digest(c), bundles.get(0).statement().capsuleDigest());
                    await().atMost(WAIT).until(() -> fixture.state("spool").isEmpty());
                    assertEquals(1, EvidenceTopic.records(kafka, c.capsuleId()).size());
                    assertTrue(second.isAlive(), second::logText);
                } finally {
                    second.close();
                }
            }
        }
    }
}
