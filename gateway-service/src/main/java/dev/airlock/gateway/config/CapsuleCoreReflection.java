package dev.airlock.gateway.config;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.service.Heartbeat;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * capsule-core types that Jackson binds or that are read reflectively, registered for the native image in one place
 * (CONVENTIONS).
 */
@RegisterForReflection(targets = {StrictJson.Limits.class, ReasonCode.class, Envelope.class, Envelope.Signature.class,
        SignedCapsule.class, Capsule.class, Capsule.Finding.class, Capsule.Reachability.class,
        Capsule.Exploitability.class, Capsule.Target.class, Capsule.Manifest.class, Capsule.FileChange.class,
        Capsule.Change.class, Capsule.ValidationStep.class, Capsule.Rollback.class, Approval.class, Policy.class,
        Policy.KeyRef.class, Policy.Root.class, Policy.Principal.class, Policy.Tier.class, Policy.Scope.class,
        Policy.Egress.class, Policy.Environment.class, Verdict.class, Verdict.ApproverRef.class, Admission.class,
        Statement.class, Statement.Subject.class, EvidencePredicate.class, EvidencePredicate.Component.class,
        EvidencePredicate.Admission.class, EvidencePredicate.Approver.class, EvidencePredicate.Failure.class,
        Heartbeat.class})
public final class CapsuleCoreReflection {
    private CapsuleCoreReflection() {
    }
}
