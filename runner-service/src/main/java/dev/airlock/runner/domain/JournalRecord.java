package dev.airlock.runner.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.evidence.EvidencePredicate;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code journal.json} of one run (schema {@value #SCHEMA}): everything needed to put the workspace back and to write
 * the {@code INTERRUPTED} evidence after a crash, without the admission or the capsule. See runner-service/README.md,
 * "Crash journal".
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema", "capsuleId", "capsuleDigest", "environment", "tier", "lineage", "mode", "repository",
        "workspace", "admission", "beforeState", "change", "files", "phase", "startedAt", "phaseAt", "validation",
        "running"})
public record JournalRecord(String schema, String capsuleId, String capsuleDigest, String environment, String tier,
                            String lineage, String mode, String repository, String workspace,
                            EvidencePredicate.Admission admission, EvidencePredicate.BeforeState beforeState,
                            EvidencePredicate.ChangeRecord change, List<JournalFile> files, Phase phase,
                            Instant startedAt, Instant phaseAt, List<EvidencePredicate.ValidationResult> validation,
                            RunningStep running) {
    public static final String SCHEMA = "airlock.runner-journal/v1";

    public JournalRecord {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown journal schema " + schema);
        }
        Objects.requireNonNull(capsuleId, "capsuleId");
        Objects.requireNonNull(capsuleDigest, "capsuleDigest");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(startedAt, "startedAt");
        files = files == null ? List.of() : List.copyOf(files);
        validation = validation == null ? List.of() : List.copyOf(validation);
    }

    /**
     * Where a run is. The runner writes to the workspace only in APPLYING, RESTORING and REHEARSING; OBSERVING and
     * PREPARED mean the workspace was not touched by the runner.
     */
    public enum Phase {
        /** observe mode: validation against the current state, the runner never writes. */
        OBSERVING,
        /** before-state copied, nothing written yet. */
        PREPARED,
        /** writing the patched files. */
        APPLYING,
        /** the change is in place; validation runs. */
        VALIDATING,
        /** validation failed (or the apply did not verify): putting the before-state back. */
        RESTORING,
        /** validation passed: restore, verify before, re-apply, verify after. */
        REHEARSING;

        /** Whether the runner may have written to the workspace in this phase. */
        public boolean workspaceTouched() {
            return this != OBSERVING && this != PREPARED;
        }
    }

    /**
     * One manifest file. {@code copy} names the before-state copy inside the journal directory (null when the file did
     * not exist); {@code mode} its permissions ({@code rwxr-xr-x}); {@code createdDirs} the directories the apply
     * creates for a new file (removed again by a restore when empty), shallowest first.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JournalFile(String path, String before, String after, String copy, String mode,
                              List<String> createdDirs) {
        public JournalFile {
            Objects.requireNonNull(path, "path");
            createdDirs = createdDirs == null ? List.of() : List.copyOf(createdDirs);
        }
    }

    /**
     * The validation process running now: {@code token} is in its environment ({@code AIRLOCK_RUN_TOKEN}), so every
     * descendant can be found after a crash; {@code pid} leads its own session; {@code startTicks} and {@code bootId}
     * make sure a reused pid is never taken for it.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunningStep(String step, String token, Long pid, Long startTicks, String bootId) {
    }

    public JournalRecord withPhase(Phase next, Instant at) {
        return new JournalRecord(schema, capsuleId, capsuleDigest, environment, tier, lineage, mode, repository,
                workspace, admission, beforeState, change, files, next, startedAt, at, validation, running);
    }

    public JournalRecord withRunning(RunningStep step) {
        return new JournalRecord(schema, capsuleId, capsuleDigest, environment, tier, lineage, mode, repository,
                workspace, admission, beforeState, change, files, phase, startedAt, phaseAt, validation, step);
    }

    public JournalRecord withValidation(List<EvidencePredicate.ValidationResult> results) {
        return new JournalRecord(schema, capsuleId, capsuleDigest, environment, tier, lineage, mode, repository,
                workspace, admission, beforeState, change, files, phase, startedAt, phaseAt, results, null);
    }
}
