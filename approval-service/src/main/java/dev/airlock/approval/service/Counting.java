package dev.airlock.approval.service;

import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The "n of m" shown to people. Informational only: whether a capsule is authorized is decided by the engine alone.
 * Counts distinct principals (by the policy's counting identity) whose approval is in a role the tier counts.
 */
final class Counting {
    private Counting() {
    }

    /** What counting needs of one decision. */
    record Vote(String approver, String role, boolean approves, boolean auto) {
    }

    static int approvals(List<Vote> approvals, TrustedPolicy policy, String tier) {
        Policy.Tier t = policy.policy().tiers().get(tier);
        if (t == null) {
            return 0;
        }
        Set<String> identities = new HashSet<>();
        for (Vote a : approvals) {
            if (!a.approves()) {
                continue;
            }
            if (a.auto()) {
                return required(policy, tier);
            }
            boolean counts = t.requiredRolesOrEmpty().isEmpty() ? !TrustedPolicy.MACHINE_ROLES.contains(a.role())
                    : t.requiredRolesOrEmpty().contains(a.role());
            if (counts) {
                identities.add(policy.identityOf(a.approver()));
            }
        }
        return identities.size();
    }

    static int required(TrustedPolicy policy, String tier) {
        Policy.Tier t = policy.policy().tiers().get(tier);
        return t == null ? 0 : t.minApprovalsOrZero();
    }
}
