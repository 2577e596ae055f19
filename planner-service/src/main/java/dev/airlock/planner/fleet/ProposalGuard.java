package dev.airlock.planner.fleet;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.patch.Patch;
import dev.airlock.core.patch.UnifiedDiff;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Scope;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the policy in force lets a fleet propose, checked before anything is signed (ARCHITECTURE §1 invariant 3: a
 * fleet never widens its own scope). The same stages the gateway runs for a capsule, minus the approvals: the
 * environment exists; the tier is authorizable there; the proposer holds {@code proposer} and the signing key is one of
 * its keys; every manifest path is clean and inside the environment's scope and the patch touches exactly the manifest;
 * every validation argv starts with an allowed prefix.
 */
public final class ProposalGuard {

    private ProposalGuard() {
    }

    public static Policy.Environment check(TrustedPolicy policy, String environment, String tier, String proposer,
                                           SigningKey key, Draft draft) throws VerificationException {
        Policy.Environment env = policy.environment(environment).orElseThrow(() -> new VerificationException(
                ReasonCode.ENVIRONMENT_MISMATCH, "environment " + environment + " is not in policy version "
                + policy.version()));
        Policy.Tier t = policy.policy().tiers().get(tier);
        if (t == null || t.never()) {
            throw new VerificationException(ReasonCode.TIER_NOT_AUTHORIZABLE, "tier " + tier
                    + (t == null ? " is not defined" : " is never authorized") + " in policy version "
                    + policy.version());
        }
        if (tier.charAt(1) > env.maxTier().charAt(1)) {
            throw new VerificationException(ReasonCode.TIER_NOT_AUTHORIZABLE, "tier " + tier + " is above environment "
                    + env.name() + "'s maxTier " + env.maxTier());
        }
        Policy.Principal p = policy.principal(proposer).orElseThrow(() -> new VerificationException(
                ReasonCode.UNKNOWN_KEY, "proposer " + proposer + " is not a principal of policy version "
                + policy.version()));
        if (!p.hasRole("proposer")) {
            throw new VerificationException(ReasonCode.ROLE_MISSING, "principal " + proposer
                    + " does not hold the proposer role");
        }
        if (policy.keysOf(proposer).stream().noneMatch(k -> k.keyid().equals(key.keyid()))) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY, "the configured fleet key " + key.keyid()
                    + " is not a key of " + proposer + " in policy version " + policy.version());
        }
        Scope scope = policy.scope(env);
        Set<RepoPath> manifest = new LinkedHashSet<>();
        for (Capsule.FileChange f : draft.manifest()) {
            RepoPath path = RepoPath.of(f.path());
            scope.check(path);
            if (!manifest.add(path)) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "manifest lists "
                        + RepoPath.quote(f.path()) + " twice");
            }
        }
        Patch patch = UnifiedDiff.parse(draft.patch());
        if (!patch.paths().equals(manifest)) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "the patch touches " + patch.paths()
                    + " but the manifest lists " + manifest);
        }
        for (Capsule.ValidationStep step : draft.validation()) {
            if (!allowed(step.argv(), env.validationCommands())) {
                throw new VerificationException(ReasonCode.COMMAND_NOT_ALLOWED, String.format(Locale.ROOT,
                        "validation '%s' argv %s does not start with an allowed prefix of environment %s",
                        step.name(), step.argv(), env.name()));
            }
        }
        return env;
    }

    static boolean allowed(List<String> argv, List<List<String>> prefixes) {
        return prefixes.stream().anyMatch(pre -> argv.size() >= pre.size() && argv.subList(0, pre.size()).equals(pre));
    }
}
