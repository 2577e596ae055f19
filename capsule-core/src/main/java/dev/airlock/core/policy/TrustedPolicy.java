package dev.airlock.core.policy;

import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.scope.Scope;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A policy whose signatures verified, with every key decoded and every rule checked: the only form of policy the
 * engine accepts. Built by {@link PolicyTrust}; immutable.
 */
public final class TrustedPolicy {
    /** Roles the system itself uses; a human-review quorum never counts them. */
    public static final Set<String> MACHINE_ROLES = Set.of("proposer", "auto-approver", "runner", "bridge", "gateway",
            "evidence");

    private final Policy policy;
    private final Envelope envelope;
    private final String digest;
    private final List<PublicKeyHandle> rootKeys;
    private final Map<String, List<PublicKeyHandle>> principalKeys;
    private final Map<PublicKeyHandle, Set<String>> owners;
    private final KeyRing principalRing;
    private final Map<String, String> identity;
    private final Map<String, Scope> scopes;

    private TrustedPolicy(Policy policy, Envelope envelope, List<PublicKeyHandle> rootKeys,
                          Map<String, List<PublicKeyHandle>> principalKeys, Map<PublicKeyHandle, Set<String>> owners,
                          Map<String, Scope> scopes) {
        this.scopes = Collections.unmodifiableMap(scopes);
        this.policy = policy;
        this.envelope = envelope;
        this.digest = envelope == null ? null : envelope.payloadDigest();
        this.rootKeys = List.copyOf(rootKeys);
        this.principalKeys = Collections.unmodifiableMap(principalKeys);
        this.owners = Collections.unmodifiableMap(owners);
        List<PublicKeyHandle> all = new ArrayList<>();
        principalKeys.values().forEach(all::addAll);
        this.principalRing = new KeyRing(all);
        this.identity = identities(principalKeys.keySet(), owners);
    }

    /**
     * Union-find over principals that share a key: such principals cannot be told apart by a signature, so for
     * counting they are one identity (SECURITY-TESTS C.13).
     */
    private static Map<String, String> identities(Set<String> principals, Map<PublicKeyHandle, Set<String>> owners) {
        Map<String, String> parent = new LinkedHashMap<>();
        principals.forEach(p -> parent.put(p, p));
        for (Set<String> group : owners.values()) {
            String first = null;
            for (String p : group) {
                if (first == null) {
                    first = find(parent, p);
                } else {
                    parent.put(find(parent, p), first);
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        principals.forEach(p -> out.put(p, find(parent, p)));
        return Collections.unmodifiableMap(out);
    }

    private static String find(Map<String, String> parent, String p) {
        String r = p;
        while (!parent.get(r).equals(r)) {
            r = parent.get(r);
        }
        return r;
    }

    /**
     * Checks the meaning of a policy document (ARCHITECTURE §3.1): every key decodes, is valid for its algorithm (small-
     * order Ed25519 keys refused) and carries its true keyid; the root threshold is between 1 and the number of
     * distinct root keys; every tier names only roles some principal holds; scopes compile.
     *
     * @throws VerificationException {@code POLICY_INVALID}
     */
    static TrustedPolicy build(Policy policy, Envelope envelope) throws VerificationException {
        List<PublicKeyHandle> root = new ArrayList<>(decodeDistinct(policy.root().keys(), "root"));
        int t = policy.root().threshold();
        if (t < 1 || t > root.size()) {
            throw new VerificationException(ReasonCode.POLICY_INVALID, String.format(Locale.ROOT,
                    "root threshold %d is not between 1 and the %d distinct root keys", t, root.size()));
        }
        Map<String, List<PublicKeyHandle>> pk = new LinkedHashMap<>();
        Map<PublicKeyHandle, Set<String>> owners = new LinkedHashMap<>();
        Set<String> heldRoles = new HashSet<>();
        for (Policy.Principal p : policy.principals()) {
            List<PublicKeyHandle> keys = decodeDistinct(p.keys(), "principal " + p.id());
            pk.put(p.id(), List.copyOf(keys));
            for (PublicKeyHandle k : keys) {
                owners.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(p.id());
            }
            heldRoles.addAll(p.roles());
        }
        for (Map.Entry<String, Policy.Tier> e : policy.tiers().entrySet()) {
            for (String role : e.getValue().requiredRolesOrEmpty()) {
                if (!heldRoles.contains(role)) {
                    throw new VerificationException(ReasonCode.POLICY_INVALID,
                            "tier " + e.getKey() + " requires role '" + role + "' that no principal holds");
                }
            }
            int min = e.getValue().minApprovalsOrZero();
            if (min < e.getValue().requiredRolesOrEmpty().size()) {
                throw new VerificationException(ReasonCode.POLICY_INVALID, "tier " + e.getKey()
                        + " has fewer minApprovals than requiredRoles: each required role needs its own approver");
            }
            if (e.getValue().autoApprove() != null) {
                for (String env : e.getValue().autoApprove()) {
                    if (policy.environment(env).isEmpty()) {
                        throw new VerificationException(ReasonCode.POLICY_INVALID,
                                "tier " + e.getKey() + " auto-approves unknown environment " + env);
                    }
                }
            }
        }
        Map<String, Scope> scopes = new LinkedHashMap<>();
        for (Policy.Environment env : policy.environments()) {
            try {
                scopes.put(env.name(), ScopeRules.compile(env.scope()));
            } catch (VerificationException ex) {
                throw new VerificationException(ReasonCode.POLICY_INVALID,
                        "environment " + env.name() + ": " + ex.detail());
            }
        }
        Map<PublicKeyHandle, Set<String>> frozenOwners = new LinkedHashMap<>();
        owners.forEach((k, v) -> frozenOwners.put(k, Set.copyOf(v)));
        return new TrustedPolicy(policy, envelope, root, pk, frozenOwners, scopes);
    }

    /**
     * Checks everything about a policy document except its signatures (keys, thresholds, roles, scopes) — for tools
     * that prepare a policy before it is signed. A policy that passes may still be refused for its signatures.
     *
     * @throws VerificationException POLICY_INVALID
     */
    public static void validate(Policy policy) throws VerificationException {
        build(policy, null);
    }

    private static List<PublicKeyHandle> decodeDistinct(List<Policy.KeyRef> refs, String who)
            throws VerificationException {
        Set<PublicKeyHandle> out = new LinkedHashSet<>();
        for (Policy.KeyRef ref : refs) {
            PublicKeyHandle k;
            try {
                k = PublicKeyHandle.fromPem(ref.publicKeyPem());
            } catch (KeyFormatException e) {
                throw new VerificationException(ReasonCode.POLICY_INVALID, who + " key " + ref.keyid() + ": " + e.getMessage());
            }
            if (!k.keyid().equals(ref.keyid())) {
                throw new VerificationException(ReasonCode.POLICY_INVALID, who + " lists keyid " + ref.keyid()
                        + " for a key whose keyid is " + k.keyid());
            }
            // The same key listed twice (e.g. under two keyids that both decode to it) counts once.
            out.add(k);
        }
        return new ArrayList<>(out);
    }

    public Policy policy() {
        return policy;
    }

    public long version() {
        return policy.version();
    }

    public Instant expiresAt() {
        return policy.expiresAt();
    }

    /** The signed envelope this policy came in (kept so it can be re-verified, stored and forwarded byte for byte). */
    public Envelope envelope() {
        return envelope;
    }

    /** {@code sha256:} digest of the policy payload bytes. */
    public String digest() {
        return digest;
    }

    public List<PublicKeyHandle> rootKeys() {
        return rootKeys;
    }

    public int rootThreshold() {
        return policy.root().threshold();
    }

    public KeyRing rootRing() {
        return new KeyRing(rootKeys);
    }

    /** Every principal key; used to find who signed before anything is parsed. */
    public KeyRing principalRing() {
        return principalRing;
    }

    public List<PublicKeyHandle> keysOf(String principalId) {
        return principalKeys.getOrDefault(principalId, List.of());
    }

    /** Principals that enrolled this exact key (usually one; a shared key is ambiguous and is counted once). */
    public Set<String> ownersOf(PublicKeyHandle key) {
        return owners.getOrDefault(key, Set.of());
    }

    /** The counting identity of a principal: itself, unless it shares a key with another principal. */
    public String identityOf(String principalId) {
        return identity.getOrDefault(principalId, principalId);
    }

    public Optional<Policy.Principal> principal(String id) {
        return policy.principal(id);
    }

    public Optional<Policy.Environment> environment(String name) {
        return policy.environment(name);
    }

    /** The compiled scope of an environment of this policy. */
    public Scope scope(Policy.Environment env) {
        return scopes.get(env.name());
    }

    /** Keys of every principal holding {@code role} (e.g. the runners and gateways that may sign evidence). */
    public KeyRing ringForRole(String role) {
        List<PublicKeyHandle> keys = new ArrayList<>();
        for (Policy.Principal p : policy.principals()) {
            if (p.hasRole(role)) {
                keys.addAll(keysOf(p.id()));
            }
        }
        return new KeyRing(keys);
    }

    @Override
    public String toString() {
        return "TrustedPolicy[v" + version() + ", " + digest + "]";
    }
}
