package dev.airlock.runner.domain;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.events.Admission;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.patch.FilePatch;
import dev.airlock.core.patch.Patch;
import dev.airlock.core.patch.PatchApplier;
import dev.airlock.core.patch.UnifiedDiff;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Executes one admitted capsule on its workspace: ARCHITECTURE §7 steps 1–4, as a state machine whose every step that
 * writes is preceded by a durable journal entry ({@link RunJournal}, {@link JournalRecord.Phase}):
 * <pre>
 *   check ──drift / symlink / patch≠manifest──► REJECTED            (nothing journaled, nothing written)
 *     │ before-state journaled
 *     ├─ observe: OBSERVING ─ validate ─────────► OBSERVED          (the runner never writes)
 *     └─ apply:   PREPARED ─ APPLYING ─ after≠manifest ─► RESTORING ─► ROLLED_BACK | ROLLBACK_FAILED
 *                                │
 *                            VALIDATING ─ a step fails / times out ─► RESTORING ─► ROLLED_BACK | ROLLBACK_FAILED
 *                                │ all pass
 *                            REHEARSING: restore, verify before, re-apply, verify after ─► APPLIED
 *                                                                       (restore unverified ─► ROLLBACK_FAILED)
 * </pre>
 * Failures of the capsule or of the workspace end in evidence; failures of the runner's own disk (the journal cannot
 * be written) are thrown as {@link IOException} and leave the journal for the recovery at the next start.
 */
public final class CapsuleExecutor {

    private static final Logger LOG = Logger.getLogger(CapsuleExecutor.class);

    /** A verified admission, its capsule, and where the capsule's repository lives on this host. */
    public record Request(Admission admission, Capsule capsule, String repository, Path workspace) {
        public Request {
            Objects.requireNonNull(admission, "admission");
            Objects.requireNonNull(capsule, "capsule");
            Objects.requireNonNull(workspace, "workspace");
        }
    }

    /**
     * A finished run: its evidence, and the journal to remove once that evidence is in the spool (null when the run
     * ended before journaling anything).
     */
    public record Finished(EvidencePredicate predicate, RunJournal.Entry journal) {
    }

    /** One manifest file with its patch, as checked before anything is written. */
    private record FileStep(int index, RepoPath path, String before, String after, FilePatch patch) {
    }

    private final EvidencePredicate.Component runner;
    private final RunJournal journal;
    private final ValidationRunner validator;
    private final Clock clock;
    private final BooleanSupplier aborted;

    public CapsuleExecutor(EvidencePredicate.Component runner, RunJournal journal, ValidationRunner validator,
                           Clock clock, BooleanSupplier aborted) {
        this.runner = runner;
        this.journal = journal;
        this.validator = validator;
        this.clock = clock;
        this.aborted = aborted;
    }

    public Finished run(Request req) throws IOException {
        Admission admission = req.admission();
        Capsule capsule = req.capsule();
        Evidence ev = Evidence.of(admission, runner, clock.instant());
        String patchSha = Workspace.sha256(capsule.change().patch().getBytes(StandardCharsets.UTF_8));
        List<EvidencePredicate.FileDigest> intended = capsule.manifest().files().stream()
                .map(f -> new EvidencePredicate.FileDigest(f.path(), f.after())).toList();
        ev.change(new EvidencePredicate.ChangeRecord(patchSha, intended));
        boolean observe = "observe".equals(admission.effectiveMode());

        String isolation = validator.isolationProblem();
        if (isolation != null) {
            return rejected(ev, "NETWORK_ISOLATION_UNAVAILABLE", isolation);
        }

        // §7 step 1: the workspace and the manifest, checked before anything is journaled or written.
        Workspace ws;
        List<FileStep> plan;
        try {
            ws = Workspace.open(req.workspace());
            plan = plan(capsule);
        } catch (VerificationException e) {
            return rejected(ev, e.reason().name(), e.detail());
        }
        List<EvidencePredicate.FileDigest> current = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        try {
            for (FileStep step : plan) {
                String hash = ws.sha256OrNull(step.path());
                current.add(new EvidencePredicate.FileDigest(step.path().value(), hash));
                if (!Objects.equals(hash, step.before())) {
                    drift.add(step.path().value() + " is " + Restorer.describe(hash) + ", the capsule expects "
                            + Restorer.describe(step.before()));
                }
            }
        } catch (VerificationException e) {
            return rejected(ev, e.reason().name(), e.detail());
        }
        EvidencePredicate.BeforeState beforeState = new EvidencePredicate.BeforeState(GitRevision.of(ws.root()),
                current);
        ev.beforeState(beforeState);
        if (!drift.isEmpty()) {
            return rejected(ev, ReasonCode.DRIFT.name(), String.join("; ", drift));
        }

        // §7 step 2, in memory first: every new content is computed and checked against `after` before any write, so a
        // patch that does not produce the manifest's result is a rejection, never a half-applied tree.
        Map<Integer, byte[]> originals = new HashMap<>();
        Map<Integer, byte[]> results = new HashMap<>();
        List<JournalRecord.JournalFile> files = new ArrayList<>();
        List<EvidencePredicate.FileDigest> computed = new ArrayList<>();
        try {
            for (FileStep step : plan) {
                byte[] original = ws.readOrNull(step.path());
                if (!Objects.equals(original == null ? null : Workspace.sha256(original), step.before())) {
                    return rejected(ev, ReasonCode.DRIFT.name(), step.path().value() + " changed while it was read");
                }
                byte[] result;
                try {
                    result = PatchApplier.apply(original, step.patch());
                } catch (VerificationException e) {
                    return rejected(ev, ReasonCode.SCOPE_VIOLATION.name(), "patch and manifest disagree: "
                            + e.detail());
                }
                String resultHash = result == null ? null : Workspace.sha256(result);
                if (!Objects.equals(resultHash, step.after())) {
                    return rejected(ev, ReasonCode.SCOPE_VIOLATION.name(), "patch and manifest disagree: the patch "
                            + "turns " + step.path().value() + " into " + Restorer.describe(resultHash)
                            + ", the manifest says " + Restorer.describe(step.after()));
                }
                computed.add(new EvidencePredicate.FileDigest(step.path().value(), resultHash));
                if (original != null) {
                    originals.put(step.index(), original);
                }
                if (result != null) {
                    results.put(step.index(), result);
                }
                files.add(new JournalRecord.JournalFile(step.path().value(), step.before(), step.after(),
                        original == null ? null : RunJournal.copyName(step.index()),
                        original == null ? null : mode(ws.resolve(step.path())),
                        original == null ? missingDirectories(ws.root(), step.path()) : List.of()));
            }
        } catch (VerificationException e) {
            return rejected(ev, e.reason().name(), e.detail());
        }
        ev.change(new EvidencePredicate.ChangeRecord(patchSha, computed));
        checkAborted("before journaling");

        // §7 step 1, last part: the before-state is durable before the first write.
        JournalRecord record = new JournalRecord(JournalRecord.SCHEMA, admission.capsuleId(),
                admission.capsuleDigest(), admission.environment(), admission.tier(), admission.lineage(),
                admission.effectiveMode(), req.repository(), ws.root().toString(), Evidence.summary(admission),
                beforeState, ev.change(), files,
                observe ? JournalRecord.Phase.OBSERVING : JournalRecord.Phase.PREPARED, ev.startedAt(),
                clock.instant(), List.of(), null);
        RunJournal.Entry entry = journal.begin(record, originals);

        if (observe) {
            // §7 step 5: observe runs the validation against the current state and never writes to the workspace.
            List<EvidencePredicate.ValidationResult> validation = validate(ws, capsule, entry);
            ev.validation(validation);
            return new Finished(ev.finish(Evidence.OBSERVED, clock.instant()), entry);
        }

        checkAborted("before applying");
        entry.update(r -> r.withPhase(JournalRecord.Phase.APPLYING, clock.instant()));
        String applyProblem = write(ws, plan, results);
        if (applyProblem == null) {
            applyProblem = Restorer.verify(ws, files, true);
        }
        if (applyProblem != null) {
            return restoreAfterFailure(ws, entry, ev, "APPLY_MISMATCH", "the applied change does not verify: "
                    + applyProblem);
        }

        checkAborted("before validating");
        entry.update(r -> r.withPhase(JournalRecord.Phase.VALIDATING, clock.instant()));
        List<EvidencePredicate.ValidationResult> validation = validate(ws, capsule, entry);
        ev.validation(validation);
        EvidencePredicate.ValidationResult failed = validation.stream()
                .filter(v -> v.timedOut() || v.exitCode() == null || v.exitCode() != 0).findFirst().orElse(null);
        if (failed != null) {
            if (failed.timedOut()) {
                int limit = capsule.validation().stream().filter(s -> s.name().equals(failed.name()))
                        .mapToInt(Capsule.ValidationStep::timeoutSeconds).findFirst().orElse(0);
                return restoreAfterFailure(ws, entry, ev, "VALIDATION_TIMEOUT", "step " + failed.name()
                        + " did not finish within " + limit + " s");
            }
            return restoreAfterFailure(ws, entry, ev, "VALIDATION_FAILED", "step " + failed.name()
                    + (failed.exitCode() == null ? " could not be started" : " exited with " + failed.exitCode()));
        }

        // §7 step 4, success: rehearse the rollback, then keep the change.
        checkAborted("before the rollback rehearsal");
        entry.update(r -> r.withPhase(JournalRecord.Phase.REHEARSING, clock.instant()));
        String restoreProblem = Restorer.restore(ws, entry);
        if (restoreProblem != null) {
            ev.rollback(new EvidencePredicate.RollbackRecord(true, false, null));
            ev.failure("ROLLBACK_UNVERIFIED", "rehearsal: the restored state does not match before: " + restoreProblem);
            return new Finished(ev.finish(Evidence.ROLLBACK_FAILED, clock.instant()), entry);
        }
        String reapplyProblem = write(ws, plan, results);
        if (reapplyProblem == null) {
            reapplyProblem = Restorer.verify(ws, files, true);
        }
        if (reapplyProblem != null) {
            String again = Restorer.restore(ws, entry);
            ev.rollback(new EvidencePredicate.RollbackRecord(true, true, false));
            ev.failure(again == null ? "REAPPLY_MISMATCH" : "ROLLBACK_UNVERIFIED", "rehearsal: the re-applied change "
                    + "does not verify: " + reapplyProblem + (again == null ? "; before-state restored"
                    : "; restoring the before-state failed too: " + again));
            return new Finished(ev.finish(again == null ? Evidence.ROLLED_BACK : Evidence.ROLLBACK_FAILED,
                    clock.instant()), entry);
        }
        ev.rollback(new EvidencePredicate.RollbackRecord(true, true, true));
        return new Finished(ev.finish(Evidence.APPLIED, clock.instant()), entry);
    }

    private Finished rejected(Evidence ev, String reason, String detail) {
        LOG.infof("Capsule %s rejected by the runner: %s %s", ev.capsuleId(), reason, detail);
        ev.failure(reason, detail);
        return new Finished(ev.finish(Evidence.REJECTED, clock.instant()), null);
    }

    private Finished restoreAfterFailure(Workspace ws, RunJournal.Entry entry, Evidence ev, String reason,
                                         String detail) throws IOException {
        checkAborted("before restoring");
        entry.update(r -> r.withPhase(JournalRecord.Phase.RESTORING, clock.instant()));
        String problem = Restorer.restore(ws, entry);
        ev.rollback(new EvidencePredicate.RollbackRecord(false, problem == null, null));
        if (problem == null) {
            ev.failure(reason, detail);
            return new Finished(ev.finish(Evidence.ROLLED_BACK, clock.instant()), entry);
        }
        ev.failure("ROLLBACK_UNVERIFIED", detail + "; restoring the before-state failed: " + problem);
        return new Finished(ev.finish(Evidence.ROLLBACK_FAILED, clock.instant()), entry);
    }

    /** Runs the steps in order and stops at the first that fails; each result is journaled as it comes. */
    private List<EvidencePredicate.ValidationResult> validate(Workspace ws, Capsule capsule, RunJournal.Entry entry)
            throws IOException {
        List<EvidencePredicate.ValidationResult> results = new ArrayList<>();
        for (Capsule.ValidationStep step : capsule.validation()) {
            checkAborted("before validation step " + step.name());
            ValidationRunner.Result r = validator.run(ws.root(), step,
                    running -> entry.update(rec -> rec.withRunning(running)), aborted);
            results.add(r.evidence());
            List<EvidencePredicate.ValidationResult> soFar = List.copyOf(results);
            entry.update(rec -> rec.withValidation(soFar));
            if (!r.passed()) {
                break;
            }
        }
        return results;
    }

    /** Writes every file's new content (or deletes it); returns what went wrong, or null. */
    private static String write(Workspace ws, List<FileStep> plan, Map<Integer, byte[]> results) {
        List<String> problems = new ArrayList<>();
        for (FileStep step : plan) {
            try {
                byte[] content = results.get(step.index());
                if (content == null) {
                    if (ws.exists(step.path())) {
                        ws.delete(step.path());
                    }
                } else {
                    ws.write(step.path(), content);
                }
            } catch (VerificationException e) {
                problems.add(step.path().value() + ": " + e.reason() + " " + e.detail());
            } catch (IOException | RuntimeException e) {
                problems.add(step.path().value() + ": " + e);
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * The manifest as a plan: each path valid, listed once, patched exactly once, created exactly when {@code before}
     * is null and deleted exactly when {@code after} is null (the gateway's SCOPE_VIOLATION stage, re-checked here
     * because this is the code that writes).
     */
    private static List<FileStep> plan(Capsule capsule) throws VerificationException {
        Patch patch = UnifiedDiff.parse(capsule.change().patch());
        Map<RepoPath, Capsule.FileChange> manifest = new LinkedHashMap<>();
        for (Capsule.FileChange f : capsule.manifest().files()) {
            if (manifest.put(RepoPath.of(f.path()), f) != null) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "manifest lists "
                        + RepoPath.quote(f.path()) + " twice");
            }
        }
        for (RepoPath touched : patch.paths()) {
            if (!manifest.containsKey(touched)) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "patch touches "
                        + RepoPath.quote(touched.value()) + ", which is not in the manifest");
            }
        }
        List<FileStep> plan = new ArrayList<>();
        int index = 0;
        for (Map.Entry<RepoPath, Capsule.FileChange> e : manifest.entrySet()) {
            FilePatch fp = patch.file(e.getKey()).orElseThrow(() -> new VerificationException(
                    ReasonCode.SCOPE_VIOLATION, "manifest lists " + RepoPath.quote(e.getKey().value())
                    + " but the patch does not change it"));
            if ((e.getValue().before() == null) != fp.isCreation() || (e.getValue().after() == null)
                    != fp.isDeletion()) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "patch and manifest disagree on whether "
                        + RepoPath.quote(e.getKey().value()) + " is created, changed or deleted");
            }
            plan.add(new FileStep(index++, e.getKey(), e.getValue().before(), e.getValue().after(), fp));
        }
        return plan;
    }

    private static String mode(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
            return null;
        }
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    /** The ancestors of a new file that do not exist yet, shallowest first (the apply creates them). */
    private static List<String> missingDirectories(Path root, RepoPath path) throws IOException {
        List<String> segments = path.segments();
        List<String> missing = new ArrayList<>();
        Path current = root;
        for (int i = 0; i < segments.size() - 1; i++) {
            current = current.resolve(segments.get(i));
            if (!missing.isEmpty()) {
                missing.add(String.join("/", segments.subList(0, i + 1)));
                continue;
            }
            try {
                Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing.add(String.join("/", segments.subList(0, i + 1)));
            }
        }
        return missing;
    }

    private void checkAborted(String where) {
        if (aborted.getAsBoolean()) {
            throw new RunAborted("runner stopping " + where);
        }
    }
}
