package dev.airlock.runner.config;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * capsule-core types that Jackson binds or writes in this service, registered for the native image in one place
 * (CONVENTIONS): admissions (read), capsules and signed capsules (read), evidence statements (written, and read back
 * from the journal). The runner's own records carry {@code @RegisterForReflection} themselves.
 */
@RegisterForReflection(targets = {
        StrictJson.Limits.class, ReasonCode.class,
        Admission.class, Verdict.ApproverRef.class,
        SignedCapsule.class, Envelope.class, Envelope.Signature.class,
        Capsule.class, Capsule.Finding.class, Capsule.Reachability.class, Capsule.Exploitability.class,
        Capsule.Target.class, Capsule.Manifest.class, Capsule.FileChange.class, Capsule.Change.class,
        Capsule.ValidationStep.class, Capsule.Rollback.class,
        Statement.class, Statement.Subject.class,
        EvidencePredicate.class, EvidencePredicate.Component.class, EvidencePredicate.Admission.class,
        EvidencePredicate.Approver.class, EvidencePredicate.BeforeState.class, EvidencePredicate.FileDigest.class,
        EvidencePredicate.ChangeRecord.class, EvidencePredicate.ValidationResult.class,
        EvidencePredicate.RollbackRecord.class, EvidencePredicate.Failure.class})
public final class CapsuleCoreReflection {
    private CapsuleCoreReflection() {
    }
}
