package dev.airlock.core.evidence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.json.Checks;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The evidence predicate (ARCHITECTURE §3.5). Every path produces the same complete shape (invariant 4): a gateway
 * rejection has no before-state or validation, but the same fields are present in the same places. Additions beyond
 * §3.5, all optional: {@code tier}, {@code lineage}, {@code failure} (why a run stopped: e.g. DRIFT), {@code mode},
 * and in {@link ValidationResult} {@code networkIsolated}, {@code stdoutBytes}, {@code stderrBytes}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"capsuleId", "environment", "tier", "lineage", "mode", "runner", "outcome", "admission",
        "beforeState", "change", "validation", "rollback", "failure", "startedAt", "finishedAt"})
public record EvidencePredicate(String capsuleId, String environment, String tier, String lineage, String mode,
                                Component runner, String outcome, Admission admission, BeforeState beforeState,
                                ChangeRecord change, List<ValidationResult> validation, RollbackRecord rollback,
                                Failure failure, Instant startedAt, Instant finishedAt) {
    public static final Set<String> OUTCOMES = Set.of("APPLIED", "ROLLED_BACK", "OBSERVED", "REJECTED",
            "ROLLBACK_FAILED", "INTERRUPTED");

    public EvidencePredicate {
        Checks.required(capsuleId, "capsuleId");
        Checks.required(environment, "environment");
        Objects.requireNonNull(runner, "runner is required");
        Checks.oneOf(outcome, "outcome", OUTCOMES);
        Objects.requireNonNull(admission, "admission is required");
        validation = validation == null ? List.of() : Checks.list(validation, "validation", 0, 64);
        Objects.requireNonNull(startedAt, "startedAt is required");
        Objects.requireNonNull(finishedAt, "finishedAt is required");
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("finishedAt is before startedAt");
        }
    }

    /** The component that produced and signed the bundle: a runner, or the gateway for admission rejections. */
    public record Component(String id, String version) {
        public Component {
            Checks.ident(id, "runner.id");
            Checks.required(version, "runner.version");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Admission(String verdict, String reason, Long policyVersion, List<Approver> approvers) {
        public Admission {
            Checks.oneOf(verdict, "admission.verdict", Set.of("admitted", "rejected"));
            approvers = approvers == null ? List.of() : List.copyOf(approvers);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Approver(String id, String role, String keyid) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BeforeState(String revision, List<FileDigest> files) {
        public BeforeState {
            files = files == null ? List.of() : List.copyOf(files);
        }
    }

    /** A file and its digest ({@code sha256} null when the file does not exist in that state). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FileDigest(String path, String sha256) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChangeRecord(String patchSha256, List<FileDigest> afterFiles) {
        public ChangeRecord {
            afterFiles = afterFiles == null ? List.of() : List.copyOf(afterFiles);
        }
    }

    /**
     * One validation step as run. Additions beyond §3.5, all optional: {@code networkIsolated} (whether the step ran in
     * a network namespace of its own, {@code unshare -n}), {@code stdoutBytes}/{@code stderrBytes} (the full length of
     * each stream; {@code stdout}/{@code stderr} keep only the first bytes up to the runner's cap, the hashes cover the
     * full stream).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ValidationResult(String name, List<String> argv, Integer exitCode, boolean timedOut, long durationMs,
                                   String stdout, String stderr, String stdoutSha256, String stderrSha256,
                                   Boolean networkIsolated, Long stdoutBytes, Long stderrBytes) {
        public ValidationResult {
            argv = argv == null ? List.of() : List.copyOf(argv);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RollbackRecord(boolean rehearsed, Boolean restoredMatchesBefore, Boolean reappliedMatchesAfter) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(String reason, String detail) {
    }
}
