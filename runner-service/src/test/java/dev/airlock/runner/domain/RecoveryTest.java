package dev.airlock.runner.domain;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.EvidencePredicate.RollbackRecord;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.config.RunnerConfig.NetworkIsolation;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.GitWorkspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.airlock.runner.testing.Admissions.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up recovery from journals in the states a crash can leave them in (the crash itself is {@code InterruptedRunIT}).
 * A journal is produced by a real run and kept, as a crash before its removal would keep it.
 */
class RecoveryTest {

    private static final EvidencePredicate.Component RUNNER = new EvidencePredicate.Component(Admissions.RUNNER, "test");

    @TempDir
    Path tmp;

    GitWorkspace ws;
    RunJournal journal;
    CapsuleExecutor executor;

    @BeforeEach
    void setUp() throws IOException {
        ws = GitWorkspace.create(tmp.resolve("workspace"));
        journal = new RunJournal(tmp.resolve("state/journal"));
        executor = new CapsuleExecutor(RUNNER, journal, new ValidationRunner(new ValidationRunner.Settings(65536,
                NetworkIsolation.AUTO, "/usr/bin:/bin", Optional.empty(), Optional.empty(), Map.of(),
                tmp.resolve("state/home"))), Clock.systemUTC(), () -> false);
    }

    @Test
    void runWhoseEvidenceWasSpooledIsFinishedNotRolledBack() throws IOException {
        run("rec-done", "apply");

        List<Recovery.Recovered> recovered = recovery().recover(id -> true);

        assertEquals(1, recovered.size());
        assertNull(recovered.get(0).predicate(), "no second evidence for a finished run");
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "a finished run's change stays");
    }

    @Test
    void journalFromAnApplyIsRestoredAndReportedInterrupted() throws IOException {
        run("rec-applied", "apply");
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"));

        EvidencePredicate p = recovery().recover(id -> false).get(0).predicate();

        assertEquals("INTERRUPTED", p.outcome(), p::toString);
        assertEquals(new RollbackRecord(false, true, null), p.rollback());
        assertTrue(p.failure().detail().contains("phase REHEARSING"), p.failure().detail());
        assertEquals("", ws.status());
    }

    @Test
    void journalFromObserveModeIsReportedWithoutTouchingTheWorkspace() throws IOException {
        Map<String, String> before = ws.snapshot();
        run("rec-observe", "observe");

        EvidencePredicate p = recovery().recover(id -> false).get(0).predicate();

        assertEquals("INTERRUPTED", p.outcome(), p::toString);
        assertEquals(new RollbackRecord(false, null, null), p.rollback());
        assertTrue(p.failure().detail().contains("had not written to the workspace"), p.failure().detail());
        assertEquals(before, ws.snapshot());
    }

    @Test
    void corruptBeforeCopyMakesTheRecoveryReportRollbackFailed() throws IOException {
        CapsuleExecutor.Finished f = run("rec-corrupt", "apply");
        Files.writeString(f.journal().path().resolve("before/0"), "<project>tampered</project>\n");

        EvidencePredicate p = recovery().recover(id -> false).get(0).predicate();

        assertEquals("ROLLBACK_FAILED", p.outcome(), p::toString);
        assertEquals(new RollbackRecord(false, false, null), p.rollback());
        assertTrue(p.failure().detail().contains("the journal's copy does not match its before hash"),
                p.failure().detail());
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "a copy that does not verify is never written back");
    }

    private CapsuleExecutor.Finished run(String id, String mode) throws IOException {
        Capsule c = Admissions.capsule(id, "payments-api", step("build", 60, "sh", "validate.sh",
                "observe".equals(mode) ? "before" : "check"));
        CapsuleExecutor.Finished f = executor.run(new CapsuleExecutor.Request(Admissions.admitted(c, mode), c,
                "payments-api", ws.root()));
        assertTrue(Files.exists(f.journal().path().resolve("journal.json")));
        return f;
    }

    private Recovery recovery() {
        return new Recovery(journal, RUNNER, Clock.systemUTC());
    }
}
