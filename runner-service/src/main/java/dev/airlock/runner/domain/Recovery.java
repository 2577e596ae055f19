package dev.airlock.runner.domain;

import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.verify.VerificationException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Start-up recovery (ARCHITECTURE §7 step 5: "a runner killed mid-way finds its journal at start, restores the
 * before-state, and emits INTERRUPTED evidence"). For every journal left behind:
 * <ol>
 * <li>a run whose evidence had already been spooled (or recorded) was finished: only its journal is removed;</li>
 * <li>otherwise the processes of its validation step, which outlive a killed runner, are killed first (same boot
 * only: after a reboot none can be left);</li>
 * <li>if the runner may have written to the workspace ({@link JournalRecord.Phase#workspaceTouched()}), the
 * before-state is restored from the journal's copies and verified;</li>
 * <li>the evidence is {@code INTERRUPTED} when the workspace matches {@code before}, {@code ROLLBACK_FAILED} when
 * it cannot be made to.</li>
 * </ol>
 */
public final class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);

    /** One journal found at start-up: the evidence to emit (null when the run had finished) and the journal. */
    public record Recovered(JournalRecord record, EvidencePredicate predicate, RunJournal.Entry journal) {
    }

    private final RunJournal journal;
    private final EvidencePredicate.Component runner;
    private final Clock clock;

    public Recovery(RunJournal journal, EvidencePredicate.Component runner, Clock clock) {
        this.journal = journal;
        this.runner = runner;
        this.clock = clock;
    }

    /**
     * @param finished whether a capsule's run was completed (its evidence is in the spool or it is recorded as executed)
     */
    public List<Recovered> recover(Predicate<String> finished) throws IOException {
        List<Recovered> out = new ArrayList<>();
        for (RunJournal.Entry entry : journal.leftovers()) {
            JournalRecord rec = entry.record();
            if (finished.test(rec.capsuleId())) {
                LOG.infof("Run of capsule %s had finished before the runner stopped; removing its journal",
                        rec.capsuleId());
                out.add(new Recovered(rec, null, entry));
                continue;
            }
            out.add(new Recovered(rec, interrupted(entry), entry));
        }
        return out;
    }

    private EvidencePredicate interrupted(RunJournal.Entry entry) {
        JournalRecord rec = entry.record();
        JournalRecord.RunningStep running = rec.running();
        String where = "phase " + rec.phase() + (running != null ? " (validation step " + running.step() + ")" : "");
        LOG.warnf("Capsule %s was interrupted in %s; recovering its workspace %s", rec.capsuleId(), where,
                rec.workspace());
        if (running != null && running.token() != null) {
            if (running.bootId() != null && running.bootId().equals(ProcessReaper.bootId())) {
                int killed = ProcessReaper.kill(running.token(), running.pid(), running.startTicks());
                if (killed > 0) {
                    LOG.warnf("Killed %d leftover validation process(es) of capsule %s", killed, rec.capsuleId());
                }
            }
        }
        Evidence ev = Evidence.of(rec, runner);
        String problem;
        try {
            Workspace ws = Workspace.open(Path.of(rec.workspace()));
            if (rec.phase().workspaceTouched()) {
                problem = Restorer.restore(ws, entry);
                ev.rollback(new EvidencePredicate.RollbackRecord(false, problem == null, null));
            } else {
                // Nothing was written by the runner; the before-state should still be there.
                problem = rec.phase() == JournalRecord.Phase.OBSERVING ? null
                        : Restorer.verify(ws, rec.files(), false);
                ev.rollback(new EvidencePredicate.RollbackRecord(false,
                        rec.phase() == JournalRecord.Phase.OBSERVING ? null : problem == null, null));
            }
        } catch (VerificationException e) {
            problem = "workspace " + rec.workspace() + ": " + e.reason() + " " + e.detail();
            ev.rollback(new EvidencePredicate.RollbackRecord(false, false, null));
        } catch (IOException e) {
            problem = "workspace " + rec.workspace() + ": " + e;
            ev.rollback(new EvidencePredicate.RollbackRecord(false, false, null));
        }
        if (problem == null) {
            ev.failure("INTERRUPTED", "the runner stopped during " + where + "; "
                    + (rec.phase().workspaceTouched() ? "the before-state was restored and verified at start-up"
                    : "the runner had not written to the workspace"));
            return ev.finish(Evidence.INTERRUPTED, clock.instant());
        }
        ev.failure("ROLLBACK_UNVERIFIED", "the runner stopped during " + where
                + "; restoring the before-state at start-up failed: " + problem);
        return ev.finish(Evidence.ROLLBACK_FAILED, clock.instant());
    }
}
