package dev.airlock.core.policy;

/** Compiled scope of an environment. (Glob compilation is wired to dev.airlock.core.scope once it lands.) */
public final class ScopeRules {
    private final Policy.Scope scope;

    private ScopeRules(Policy.Scope scope) {
        this.scope = scope;
    }

    static ScopeRules compile(Policy.Scope scope) {
        return new ScopeRules(scope);
    }

    public Policy.Scope scope() {
        return scope;
    }
}
