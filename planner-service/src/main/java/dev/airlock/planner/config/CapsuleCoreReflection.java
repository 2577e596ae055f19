package dev.airlock.planner.config;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.verify.ReasonCode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * capsule-core types that Jackson binds or that are read reflectively, registered for the native image in one place
 * (CONVENTIONS): the capsule the planner writes and signs, the DSSE envelope, the policy it reads.
 */
@RegisterForReflection(targets = {StrictJson.Limits.class, ReasonCode.class, Envelope.class, Envelope.Signature.class,
        Capsule.class, Capsule.Finding.class, Capsule.Reachability.class, Capsule.Exploitability.class,
        Capsule.Target.class, Capsule.Manifest.class, Capsule.FileChange.class, Capsule.Change.class,
        Capsule.ValidationStep.class, Capsule.Rollback.class, Policy.class, Policy.KeyRef.class, Policy.Root.class,
        Policy.Principal.class, Policy.Tier.class, Policy.Scope.class, Policy.Egress.class, Policy.Environment.class})
public final class CapsuleCoreReflection {
    private CapsuleCoreReflection() {
    }
}
