package dev.airlock.evidence.config;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.Checkpoint;
import dev.airlock.core.evidence.EvidenceExport;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.SanitizedEvidence;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.verify.ReasonCode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * capsule-core types that Jackson binds or writes, registered for the native image in one place (CONVENTIONS).
 */
@RegisterForReflection(targets = {StrictJson.Limits.class, ReasonCode.class, Envelope.class, Envelope.Signature.class,
        Statement.class, Statement.Subject.class, EvidencePredicate.class, EvidencePredicate.Component.class,
        EvidencePredicate.Admission.class, EvidencePredicate.Approver.class, EvidencePredicate.BeforeState.class,
        EvidencePredicate.FileDigest.class, EvidencePredicate.ChangeRecord.class,
        EvidencePredicate.ValidationResult.class, EvidencePredicate.RollbackRecord.class,
        EvidencePredicate.Failure.class, Checkpoint.class, SanitizedEvidence.class, EvidenceExport.class,
        EvidenceExport.Entry.class, Policy.class, Policy.KeyRef.class, Policy.Root.class, Policy.Principal.class,
        Policy.Tier.class, Policy.Scope.class, Policy.Egress.class, Policy.Environment.class})
public final class CapsuleCoreReflection {
    private CapsuleCoreReflection() {
    }
}
