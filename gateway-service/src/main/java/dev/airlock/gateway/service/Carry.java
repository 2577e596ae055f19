package dev.airlock.gateway.service;

import dev.airlock.core.policy.InMemoryPolicyStore;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What earlier chunks of the same delivery decided and will have committed before a later chunk commits (chunks are
 * committed strictly in order, and a failed chunk aborts every later one): their admissions and the policy history
 * they reached. A later chunk reads the ledger through it, and what it reads through it is what PostgreSQL must show
 * when that chunk's transaction checks its assumptions.
 */
final class Carry {
    private final LedgerView view;
    private final InMemoryPolicyStore policies;
    private final Set<String> admitted = new HashSet<>();
    private final Map<String, Long> heads = new HashMap<>();

    Carry(LedgerView view, InMemoryPolicyStore policies) {
        this.view = view;
        this.policies = policies;
    }

    InMemoryPolicyStore policies() {
        return policies;
    }

    boolean isAdmitted(String capsuleId) {
        return admitted.contains(capsuleId) || view.isAdmitted(capsuleId);
    }

    OptionalLong head(String lineage) {
        OptionalLong committed = view.head(lineage);
        Long carried = heads.get(lineage);
        if (carried == null) {
            return committed;
        }
        return OptionalLong.of(committed.isPresent() ? Math.max(committed.getAsLong(), carried) : carried);
    }

    void absorb(BatchPlan plan) {
        plan.admissions().forEach(e -> {
            admitted.add(e.capsuleId);
            heads.merge(e.lineage, e.sequence, Math::max);
        });
    }
}
