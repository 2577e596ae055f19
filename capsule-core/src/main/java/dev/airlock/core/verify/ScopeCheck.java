package dev.airlock.core.verify;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;

/** Stage SCOPE_VIOLATION of the engine (wired to dev.airlock.core.scope / patch once they land). */
final class ScopeCheck {
    private ScopeCheck() {
    }

    static void check(Capsule capsule, Policy.Environment env, TrustedPolicy policy) throws VerificationException {
        // completed when the scope and patch packages are merged
    }
}
