package dev.airlock.core.policy;

import dev.airlock.core.scope.Scope;
import dev.airlock.core.verify.VerificationException;

/** An environment's compiled scope (ARCHITECTURE §3.1 {@code scope}); a bad pattern refuses the policy at load. */
public final class ScopeRules {
    private ScopeRules() {
    }

    /** @throws VerificationException POLICY_INVALID for a pattern that does not compile */
    public static Scope compile(Policy.Scope scope) throws VerificationException {
        return Scope.of(scope.allow(), scope.deny());
    }
}
