package dev.airlock.runner.domain;

import dev.airlock.core.events.Admission;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.verify.Verdict;

import java.time.Instant;
import java.util.List;

/**
 * Collects the evidence predicate of one run as it goes (ARCHITECTURE §3.5). Every path fills the same fields
 * (invariant 4): a rejection before anything ran still names the capsule, the admission and the runner.
 */
public final class Evidence {

    /** Outcomes (§3.5). */
    public static final String APPLIED = "APPLIED";
    public static final String ROLLED_BACK = "ROLLED_BACK";
    public static final String OBSERVED = "OBSERVED";
    public static final String REJECTED = "REJECTED";
    public static final String ROLLBACK_FAILED = "ROLLBACK_FAILED";
    public static final String INTERRUPTED = "INTERRUPTED";

    private final String capsuleId;
    private final String environment;
    private final String tier;
    private final String lineage;
    private final String mode;
    private final EvidencePredicate.Component runner;
    private final EvidencePredicate.Admission admission;
    private final Instant startedAt;
    private EvidencePredicate.BeforeState beforeState;
    private EvidencePredicate.ChangeRecord change;
    private List<EvidencePredicate.ValidationResult> validation = List.of();
    private EvidencePredicate.RollbackRecord rollback = new EvidencePredicate.RollbackRecord(false, null, null);
    private EvidencePredicate.Failure failure;

    private Evidence(String capsuleId, String environment, String tier, String lineage, String mode,
                     EvidencePredicate.Component runner, EvidencePredicate.Admission admission, Instant startedAt) {
        this.capsuleId = capsuleId;
        this.environment = environment;
        this.tier = tier;
        this.lineage = lineage;
        this.mode = mode;
        this.runner = runner;
        this.admission = admission;
        this.startedAt = startedAt;
    }

    /** For a run of a verified admission. */
    public static Evidence of(Admission a, EvidencePredicate.Component runner, Instant startedAt) {
        return new Evidence(a.capsuleId(), a.environment(), a.tier(), a.lineage(), a.effectiveMode(), runner,
                summary(a), startedAt);
    }

    /** For the recovery of an interrupted run, from its journal. */
    public static Evidence of(JournalRecord j, EvidencePredicate.Component runner) {
        Evidence e = new Evidence(j.capsuleId(), j.environment(), j.tier(), j.lineage(), j.mode(), runner,
                j.admission(), j.startedAt());
        e.beforeState = j.beforeState();
        e.change = j.change();
        e.validation = j.validation();
        return e;
    }

    /** The admission as the evidence records it: verdict, policy version and the approvers that counted. */
    public static EvidencePredicate.Admission summary(Admission a) {
        List<EvidencePredicate.Approver> approvers = a.approvers().stream()
                .map((Verdict.ApproverRef r) -> new EvidencePredicate.Approver(r.approver(), r.role(), r.keyid()))
                .toList();
        return new EvidencePredicate.Admission(a.verdict(), a.reason(), a.policyVersion(), approvers);
    }

    public Evidence beforeState(EvidencePredicate.BeforeState state) {
        this.beforeState = state;
        return this;
    }

    public EvidencePredicate.BeforeState beforeState() {
        return beforeState;
    }

    public Evidence change(EvidencePredicate.ChangeRecord record) {
        this.change = record;
        return this;
    }

    public EvidencePredicate.ChangeRecord change() {
        return change;
    }

    public Evidence validation(List<EvidencePredicate.ValidationResult> results) {
        this.validation = List.copyOf(results);
        return this;
    }

    public Evidence rollback(EvidencePredicate.RollbackRecord record) {
        this.rollback = record;
        return this;
    }

    public Evidence failure(String reason, String detail) {
        this.failure = new EvidencePredicate.Failure(reason, detail);
        return this;
    }

    public String capsuleId() {
        return capsuleId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public EvidencePredicate finish(String outcome, Instant finishedAt) {
        Instant end = finishedAt.isBefore(startedAt) ? startedAt : finishedAt;
        return new EvidencePredicate(capsuleId, environment, tier, lineage, mode, runner, outcome, admission,
                beforeState, change, validation, rollback, failure, startedAt, end);
    }
}
