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

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.scope.Workspace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.airlock.runner.testing.Admissions.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void everyPhaseChangeIsOneAppendedFrameAndTheLastIsInForce() throws Exception {
        CapsuleExecutor.Finished f = run("rec-frames", "apply");
        byte[] log = Files.readAllBytes(f.journal().path().resolve("journal.log"));

        // PREPARED, APPLYING, VALIDATING, the step running, its result, REHEARSING
        assertEquals(6, frames(log).size());
        assertEquals(JournalRecord.Phase.REHEARSING, RunJournal.read(f.journal().path()).phase());
        assertEquals(JournalRecord.Phase.PREPARED, StrictJson.read(frames(log).get(0), JournalRecord.class,
                new StrictJson.Limits(1 << 20, 32, 100_000)).phase());
    }

    @Test
    void anAppendCutShortLeavesTheRecordBeforeItInForce() throws IOException {
        CapsuleExecutor.Finished f = run("rec-torn", "apply");
        Path log = f.journal().path().resolve("journal.log");
        byte[] next = RunJournal.frame(StrictJson.write(f.journal().record().withPhase(JournalRecord.Phase.RESTORING,
                java.time.Instant.now())));
        // a crash in the middle of the next append: only part of its frame reached the disk
        Files.write(log, Arrays.copyOf(next, next.length / 2), StandardOpenOption.APPEND);
        assertEquals(JournalRecord.Phase.REHEARSING, RunJournal.read(f.journal().path()).phase());

        EvidencePredicate p = recovery().recover(id -> false).get(0).predicate();

        assertEquals("INTERRUPTED", p.outcome(), p::toString);
        assertTrue(p.failure().detail().contains("phase REHEARSING"), p.failure().detail());
        assertEquals("", ws.status());
    }

    @Test
    void aWholeLastFrameThatFailsItsChecksumIsATornAppendToo() throws IOException {
        CapsuleExecutor.Finished f = run("rec-zeros", "apply");
        Path log = f.journal().path().resolve("journal.log");
        byte[] next = RunJournal.frame(StrictJson.write(f.journal().record()));
        Arrays.fill(next, RunJournal.FRAME_HEADER, next.length, (byte) 0); // the size grew, the data never came
        Files.write(log, next, StandardOpenOption.APPEND);

        assertEquals(JournalRecord.Phase.REHEARSING, RunJournal.read(f.journal().path()).phase());
    }

    @Test
    void aBadFrameBeforeTheLastMakesTheJournalUnreadableInsteadOfOlder() throws IOException {
        CapsuleExecutor.Finished f = run("rec-bitrot", "apply");
        Path log = f.journal().path().resolve("journal.log");
        byte[] bytes = Files.readAllBytes(log);
        int inFirstPayload = RunJournal.MAGIC.length + RunJournal.FRAME_HEADER + 10;
        bytes[inFirstPayload] ^= 0x01;
        Files.write(log, bytes);

        IOException e = assertThrows(IOException.class, () -> recovery().recover(id -> false));
        assertTrue(e.getMessage().contains("fails its checksum and is not the last"), e.getMessage());
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "nothing is restored from a journal that does not verify");
    }

    @Test
    void aDamagedLengthBeforeTheLastFrameIsCorruptionNotATornAppend() throws IOException {
        CapsuleExecutor.Finished f = run("rec-length", "apply");
        Path log = f.journal().path().resolve("journal.log");
        byte[] bytes = Files.readAllBytes(log);
        // the third frame's length now promises more than the file holds, as a torn last append would
        int third = frameOffsets(bytes).get(2);
        bytes[third] = 0x00;
        bytes[third + 1] = 0x7f;
        Files.write(log, bytes);

        IOException e = assertThrows(IOException.class, () -> RunJournal.read(f.journal().path()));
        assertTrue(e.getMessage().contains("the frame at byte " + third + " has a length that does not match its "
                + "bytes, and a complete frame follows at byte "), e.getMessage());
        assertThrows(IOException.class, () -> recovery().recover(id -> false));
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "nothing is restored from an older record");
    }

    @Test
    void aDamagedLengthOfTheLastFrameIsCorruptionToo() throws IOException {
        CapsuleExecutor.Finished f = run("rec-last-length", "apply");
        Path log = f.journal().path().resolve("journal.log");
        byte[] bytes = Files.readAllBytes(log);
        List<Integer> offsets = frameOffsets(bytes);
        int last = offsets.get(offsets.size() - 1);
        bytes[last + 3] = (byte) (bytes[last + 3] + 1); // one byte longer than what follows it
        assertTrue(bytes[last + 3] != 0, "the length grew (no carry into the byte before)");
        Files.write(log, bytes);

        IOException e = assertThrows(IOException.class, () -> RunJournal.read(f.journal().path()));
        assertTrue(e.getMessage().contains("the frame at byte " + last + " has a length that does not match its "
                + "bytes, and a complete frame is there"), e.getMessage());
    }

    @Test
    void aSingleRecordJournalFromBeforeTheLogIsStillRecovered() throws IOException {
        CapsuleExecutor.Finished f = run("rec-legacy", "apply");
        Path dir = f.journal().path();
        Files.write(dir.resolve("journal.json"), StrictJson.write(RunJournal.read(dir)));
        Files.delete(dir.resolve("journal.log"));

        List<Recovery.Recovered> recovered = recovery().recover(id -> false);
        EvidencePredicate p = recovered.get(0).predicate();

        assertEquals("INTERRUPTED", p.outcome(), p::toString);
        assertEquals("", ws.status());
        recovered.get(0).journal().delete();
        assertFalse(Files.exists(dir));
    }

    /** Where each frame of a journal.log begins. */
    private static List<Integer> frameOffsets(byte[] log) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(log, RunJournal.MAGIC.length, log.length - RunJournal.MAGIC.length);
        while (buf.hasRemaining()) {
            out.add(buf.position());
            int len = buf.getInt();
            buf.position(buf.position() + 32 + len);
        }
        return out;
    }

    /** The payloads of a journal.log, each checked against its SHA-256. */
    private static List<byte[]> frames(byte[] log) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(log, RunJournal.MAGIC.length, log.length - RunJournal.MAGIC.length);
        while (buf.hasRemaining()) {
            int len = buf.getInt();
            byte[] digest = new byte[32];
            buf.get(digest);
            byte[] payload = new byte[len];
            buf.get(payload);
            assertEquals(Workspace.sha256(payload), "sha256:" + HexFormat.of().formatHex(digest), "frame checksum");
            out.add(payload);
        }
        return out;
    }

    private CapsuleExecutor.Finished run(String id, String mode) throws IOException {
        Capsule c = Admissions.capsule(id, "payments-api", step("build", 60, "sh", "validate.sh",
                "observe".equals(mode) ? "before" : "check"));
        CapsuleExecutor.Finished f = executor.run(new CapsuleExecutor.Request(Admissions.admitted(c, mode), c,
                "payments-api", ws.root()));
        assertTrue(Files.exists(f.journal().path().resolve("journal.log")));
        return f;
    }

    private Recovery recovery() {
        return new Recovery(journal, RUNNER, Clock.systemUTC());
    }
}
