package dev.airlock.gateway.service;

import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.TrustedPolicy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/**
 * The policy in force and the history it was reached through, as committed to PostgreSQL. Readers get an immutable
 * snapshot; a batch works on a copy ({@link #workingCopy()}) whose installs become visible only after the transaction
 * that recorded them committed ({@link #replace(List)}).
 */
@ApplicationScoped
public class PolicyState {
    private volatile List<TrustedPolicy> history = List.of();

    public Optional<TrustedPolicy> current() {
        List<TrustedPolicy> h = history;
        return h.isEmpty() ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }

    public List<TrustedPolicy> history() {
        return history;
    }

    /** A mutable copy of the committed history for one batch. */
    public InMemoryPolicyStore workingCopy() {
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        history.forEach(store::install);
        return store;
    }

    /** Publishes a committed history. */
    public void replace(List<TrustedPolicy> committed) {
        this.history = List.copyOf(committed);
    }
}
