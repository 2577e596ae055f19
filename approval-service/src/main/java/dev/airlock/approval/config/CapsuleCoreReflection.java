package dev.airlock.approval.config;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * capsule-core types that Jackson binds or that are read reflectively, registered for the native image in one place
 * (CONVENTIONS). Add capsule-core's document records here as they appear.
 */
@RegisterForReflection(targets = {StrictJson.Limits.class, ReasonCode.class})
public final class CapsuleCoreReflection {
    private CapsuleCoreReflection() {
    }
}
