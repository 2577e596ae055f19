package dev.airlock.approval.service;

import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may see what. The authenticated user name is the policy principal id (properties realm locally, the OIDC
 * {@code preferred_username} claim in production); roles come from the signed policy, not from the identity
 * provider, so authority stays where ARCHITECTURE §1 invariant 3 puts it.
 *
 * <p>An approver sees the capsules of tiers that require one of their roles (a tier without required roles: any human
 * principal), plus parked T0 capsules read-only. Audit rows follow the same rule through their tier.
 */
@ApplicationScoped
public class Access {

    /** The authenticated user as the policy knows them. */
    public record Viewer(String name, Optional<Policy.Principal> principal) {
        public List<String> roles() {
            return principal.map(Policy.Principal::roles).orElse(List.of());
        }
    }

    private final PolicyService policies;

    @Inject
    public Access(PolicyService policies) {
        this.policies = policies;
    }

    public Viewer viewer(SecurityIdentity identity) {
        String name = identity.getPrincipal().getName();
        Optional<Policy.Principal> p = policies.current().flatMap(tp -> tp.principal(name));
        return new Viewer(name, p);
    }

    public boolean canSee(Viewer v, String tier) {
        if (tier == null) {
            return true; // events about no capsule (policy installs) are everyone's business
        }
        Optional<TrustedPolicy> policy = policies.current();
        if (policy.isEmpty() || v.principal().isEmpty()) {
            return false;
        }
        Policy.Tier t = policy.get().policy().tiers().get(tier);
        if (t == null) {
            return false;
        }
        return t.never() || !eligibleRoles(v, tier).isEmpty();
    }

    /** The roles in which {@code v} may sign a decision for a capsule of {@code tier}. */
    public List<String> eligibleRoles(Viewer v, String tier) {
        Optional<TrustedPolicy> policy = policies.current();
        if (policy.isEmpty() || v.principal().isEmpty()) {
            return List.of();
        }
        Policy.Principal p = v.principal().get();
        Policy.Tier t = policy.get().policy().tiers().get(tier);
        if (t == null || t.never() || !"human".equals(p.kind())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String role : p.roles()) {
            boolean counts = t.requiredRolesOrEmpty().isEmpty() ? !TrustedPolicy.MACHINE_ROLES.contains(role)
                    : t.requiredRolesOrEmpty().contains(role);
            if (counts) {
                out.add(role);
            }
        }
        return out;
    }
}
