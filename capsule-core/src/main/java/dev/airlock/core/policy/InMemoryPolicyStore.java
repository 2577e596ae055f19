package dev.airlock.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Policy history in memory (tests, approval-service cache). Thread-safe. */
public final class InMemoryPolicyStore implements PolicyStore {
    private final List<TrustedPolicy> history = new ArrayList<>();

    @Override
    public synchronized Optional<TrustedPolicy> current() {
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    @Override
    public synchronized void install(TrustedPolicy policy) {
        history.add(policy);
    }

    @Override
    public synchronized List<TrustedPolicy> history() {
        return List.copyOf(history);
    }
}
