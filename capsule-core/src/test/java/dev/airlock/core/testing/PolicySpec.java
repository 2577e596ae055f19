package dev.airlock.core.testing;

import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.policy.Policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Mutable copy of a {@link Policy} for tests that change one part (root keys, a principal, a tier) and rebuild. The
 * record constructors still run on {@link #build()}, so a spec can only produce a policy the production code would
 * also accept as a document (meaning is checked later, by {@code TrustedPolicy}).
 */
public final class PolicySpec {
    public String schema;
    public long version;
    public Instant issuedAt;
    public Instant expiresAt;
    public int rootThreshold;
    public List<Policy.KeyRef> rootKeys;
    public List<Policy.Principal> principals;
    public Map<String, Policy.Tier> tiers;
    public List<Policy.Environment> environments;

    public PolicySpec(Policy p) {
        schema = p.schema();
        version = p.version();
        issuedAt = p.issuedAt();
        expiresAt = p.expiresAt();
        rootThreshold = p.root().threshold();
        rootKeys = new ArrayList<>(p.root().keys());
        principals = new ArrayList<>(p.principals());
        tiers = new LinkedHashMap<>(p.tiers());
        environments = new ArrayList<>(p.environments());
    }

    public static Policy edit(Policy p, UnaryOperator<PolicySpec> change) {
        return change.apply(new PolicySpec(p)).build();
    }

    public PolicySpec with(Consumer<PolicySpec> c) {
        c.accept(this);
        return this;
    }

    /** Replaces the root with {@code threshold}-of-{@code keys}. */
    public PolicySpec root(int threshold, List<SigningKey> keys) {
        rootThreshold = threshold;
        rootKeys = new ArrayList<>(keys.stream().map(TestPki::ref).toList());
        return this;
    }

    /** Replaces (or appends) the principal with the same id. */
    public PolicySpec principal(Policy.Principal p) {
        List<Policy.Principal> out = new ArrayList<>();
        boolean replaced = false;
        for (Policy.Principal q : principals) {
            if (q.id().equals(p.id())) {
                out.add(p);
                replaced = true;
            } else {
                out.add(q);
            }
        }
        if (!replaced) {
            out.add(p);
        }
        principals = out;
        return this;
    }

    public PolicySpec withoutPrincipal(String id) {
        principals = new ArrayList<>(principals.stream().filter(q -> !q.id().equals(id)).toList());
        return this;
    }

    public PolicySpec tier(String name, Policy.Tier tier) {
        tiers.put(name, tier);
        return this;
    }

    /** Replaces the environment with the same name. */
    public PolicySpec environment(Policy.Environment env) {
        environments = new ArrayList<>(environments.stream().map(e -> e.name().equals(env.name()) ? env : e).toList());
        return this;
    }

    public Policy build() {
        return new Policy(schema, version, issuedAt, expiresAt, new Policy.Root(rootThreshold, rootKeys), principals,
                tiers, environments);
    }
}
