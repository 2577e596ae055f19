package dev.airlock.core.verify;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.patch.Patch;
import dev.airlock.core.patch.UnifiedDiff;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one admission engine (ARCHITECTURE §5). The gateway, the approval service's early feedback and
 * {@code airlock capsule verify} all call {@link #verify}. It runs the checks in the order of {@link ReasonCode}; the
 * first failure is the verdict. Signatures are verified over the exact received bytes before the payload they cover is
 * parsed (invariant 5), so the capsule's own MALFORMED check necessarily follows its signature check.
 *
 * <p>Counting is by distinct principal: a principal's several keys, repeated signatures, or one key enrolled for two
 * principals count once (SECURITY-TESTS C.12, C.13). Approvals whose signature does not verify, or that claim an
 * approver other than the key's owner, are ignored and named in the detail; they can never help reach a threshold
 * (C.15).
 */
public final class VerificationEngine {
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final String AUTO_APPROVER_ROLE = "auto-approver";
    public static final String PROPOSER_ROLE = "proposer";

    private final Clock clock;
    private final Duration clockSkew;

    public VerificationEngine(Clock clock) {
        this(clock, DEFAULT_CLOCK_SKEW);
    }

    public VerificationEngine(Clock clock, Duration clockSkew) {
        this.clock = Objects.requireNonNull(clock);
        this.clockSkew = Objects.requireNonNull(clockSkew);
    }

    /** An approval whose signature verified and whose claimed approver owns the verifying key. */
    public record CheckedApproval(int index, Envelope envelope, Approval approval, Policy.Principal principal,
                                  PublicKeyHandle key) {
    }

    /** Mutable facts established so far, to describe a rejection as precisely as it can be. */
    private static final class Facts {
        String capsuleId;
        String capsuleDigest;
        String tier;
        String lineage;
        Long sequence;
        Capsule capsule;
        Envelope capsuleEnvelope;
        final List<Verdict.ApproverRef> approvers = new ArrayList<>();
    }

    /**
     * Decides whether {@code signedCapsuleBytes} may be admitted in {@code environment} under {@code policy}.
     * Never throws for bad input: every failure is a rejection verdict with its reason code. The ledger is only read.
     * The same as {@code prepare(signedCapsuleBytes, environment, policy).complete(ledger)}.
     */
    public Verdict verify(byte[] signedCapsuleBytes, String environment, TrustedPolicy policy, AdmissionLedger ledger) {
        return prepare(signedCapsuleBytes, environment, policy).complete(ledger);
    }

    /**
     * Runs every check that does not read the ledger: all of §5 except REPLAY. The costly part of a decision
     * (signatures, parsing, scope) can so run for many capsules at once, on any threads, while only
     * {@link Prepared#complete} has to run in order against the ledger. Never throws for bad input.
     */
    public Prepared prepare(byte[] signedCapsuleBytes, String environment, TrustedPolicy policy) {
        Facts f = new Facts();
        try {
            Unledgered u = beforeReplay(signedCapsuleBytes, environment, policy, f);
            Verdict after;
            try {
                after = afterReplay(u, environment, policy, f);
            } catch (VerificationException e) {
                after = rejection(e, f, environment, policy);
            }
            return new Prepared(policy, null, u.capsule(), f, environment, after);
        } catch (VerificationException e) {
            return new Prepared(policy, rejection(e, f, environment, policy), null, f, environment, null);
        }
    }

    /**
     * A capsule checked by {@link #prepare}: either already decided (a check before REPLAY failed), or waiting only for
     * the REPLAY check against the ledger, whose outcome, if it passes, is the verdict of the checks after it.
     * Immutable once built, so it can be handed from the thread that prepared it to the one that completes it.
     */
    public static final class Prepared {
        private final TrustedPolicy policy;
        private final Verdict decided;
        private final Capsule capsule;
        private final Facts facts;
        private final String environment;
        private final Verdict afterReplay;

        private Prepared(TrustedPolicy policy, Verdict decided, Capsule capsule, Facts facts, String environment,
                         Verdict afterReplay) {
            this.policy = policy;
            this.decided = decided;
            this.capsule = capsule;
            this.facts = facts;
            this.environment = environment;
            this.afterReplay = afterReplay;
        }

        /** The policy it was checked under; a caller whose policy in force changed since must prepare it again. */
        public TrustedPolicy policy() {
            return policy;
        }

        /** The verdict: the REPLAY check against {@code ledger} (only read), in its §5 place. */
        public Verdict complete(AdmissionLedger ledger) {
            if (decided != null) {
                return decided;
            }
            try {
                checkReplay(capsule, ledger);
            } catch (VerificationException e) {
                return rejection(e, facts, environment, policy);
            }
            return afterReplay;
        }
    }

    private static Verdict rejection(VerificationException e, Facts f, String environment, TrustedPolicy policy) {
        return new Verdict(Verdict.REJECTED, e.reason(), e.detail(), f.capsuleId, f.capsuleDigest, environment,
                f.tier, policy == null ? null : policy.version(), null, List.copyOf(f.approvers), f.capsule,
                f.capsuleEnvelope, f.lineage, f.sequence);
    }

    /** What the checks before REPLAY established, for the checks after it. */
    private record Unledgered(SignedCapsule signed, Capsule capsule, Policy.Environment env, Patch patch,
                              VerificationException patchScopeProblem, Policy.Principal proposer,
                              List<CheckedApproval> checked, List<String> ignored) {
    }

    private Unledgered beforeReplay(byte[] bytes, String environment, TrustedPolicy policy, Facts f)
            throws VerificationException {
        if (policy == null) {
            throw new VerificationException(ReasonCode.POLICY_INVALID, "no policy is installed");
        }
        Instant now = clock.instant();
        Policy.Environment env = policy.environment(environment).orElse(null);

        // TOO_LARGE — before a single byte is parsed.
        long max = env != null ? env.maxCapsuleBytesOrDefault() : Policy.Environment.DEFAULT_MAX_CAPSULE_BYTES;
        if (bytes == null) {
            throw new VerificationException(ReasonCode.MALFORMED, "no document");
        }
        if (bytes.length > max) {
            throw new VerificationException(ReasonCode.TOO_LARGE,
                    String.format(Locale.ROOT, "signed capsule is %d bytes, limit %d", bytes.length, max));
        }
        StrictJson.Limits limits = StrictJson.SIGNED.withMaxBytes(max);

        // MALFORMED — the unsigned container and envelope shapes only.
        SignedCapsule sc = SignedCapsule.parse(bytes, limits);
        sc.capsule().requirePayloadType(PayloadTypes.CAPSULE);
        for (int i = 0; i < sc.approvals().size(); i++) {
            Envelope a = sc.approvals().get(i);
            if (!PayloadTypes.APPROVAL.equals(a.payloadType())) {
                throw new VerificationException(ReasonCode.MALFORMED,
                        "approval #" + i + " has payloadType '" + a.payloadType() + "'");
            }
        }
        f.capsuleDigest = sc.capsule().payloadDigest();
        f.capsuleEnvelope = sc.capsule();

        // POLICY_EXPIRED — fail closed: nothing is admitted under an expired policy.
        if (!now.isBefore(policy.expiresAt())) {
            throw new VerificationException(ReasonCode.POLICY_EXPIRED, "policy version " + policy.version()
                    + " expired at " + StrictJson.formatInstant(policy.expiresAt()));
        }

        // UNKNOWN_KEY / SIGNATURE_INVALID — the proposer's signature, over the exact received bytes.
        Dsse.Result cr = Dsse.verify(sc.capsule(), policy.principalRing());
        if (!cr.anyVerified()) {
            throw cr.anyKnownKey()
                    ? new VerificationException(ReasonCode.SIGNATURE_INVALID,
                    "the capsule signature does not verify under the key it names")
                    : new VerificationException(ReasonCode.UNKNOWN_KEY,
                    "the capsule is signed by no key of policy version " + policy.version());
        }
        Capsule c = sc.capsule().readPayload(Capsule.class, limits);
        // The patch is part of the capsule's syntax: a patch that does not parse is MALFORMED here, in §5 order. What
        // the parser refuses for scope reasons (traversal, modes, binaries) is reported at the SCOPE_VIOLATION stage.
        Patch patch = null;
        VerificationException patchScopeProblem = null;
        try {
            patch = UnifiedDiff.parse(c.change().patch());
        } catch (VerificationException e) {
            if (e.reason() != ReasonCode.SCOPE_VIOLATION) {
                throw e;
            }
            patchScopeProblem = e;
        }
        f.capsule = c;
        f.capsuleId = c.capsuleId();
        f.tier = c.tier();
        f.lineage = c.lineage();
        f.sequence = c.sequence();
        Set<String> signers = owners(policy, cr.verifiedKeys());
        Policy.Principal proposer = policy.principal(c.proposer()).orElseThrow(() -> new VerificationException(
                ReasonCode.UNKNOWN_KEY, "proposer '" + c.proposer() + "' is not a principal of policy version "
                + policy.version()));
        if (!signers.contains(proposer.id())) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY, "no key of proposer '" + proposer.id()
                    + "' signed the capsule (signed by " + signers + ")");
        }
        if (!proposer.hasRole(PROPOSER_ROLE)) {
            throw new VerificationException(ReasonCode.ROLE_MISSING,
                    "proposer '" + proposer.id() + "' does not hold the 'proposer' role");
        }

        // Approvals: verify each over its exact bytes, then parse; unverifiable ones are ignored and named.
        List<CheckedApproval> checked = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (int i = 0; i < sc.approvals().size(); i++) {
            CheckedApproval ca = checkApproval(i, sc.approvals().get(i), policy, limits, ignored);
            if (ca != null) {
                checked.add(ca);
                f.approvers.add(ref(ca));
            }
        }

        // ENVIRONMENT_MISMATCH
        if (env == null) {
            throw new VerificationException(ReasonCode.ENVIRONMENT_MISMATCH, "environment '" + environment
                    + "' is not defined in policy version " + policy.version());
        }
        if (!c.environment().equals(environment)) {
            throw new VerificationException(ReasonCode.ENVIRONMENT_MISMATCH,
                    "capsule is for environment '" + c.environment() + "', this is '" + environment + "'");
        }

        // CAPSULE_EXPIRED — expiry, and a creation time further in the future than the allowed clock skew.
        if (!now.isBefore(c.expiresAt())) {
            throw new VerificationException(ReasonCode.CAPSULE_EXPIRED,
                    "capsule expired at " + StrictJson.formatInstant(c.expiresAt()));
        }
        if (c.createdAt().isAfter(now.plus(clockSkew))) {
            throw new VerificationException(ReasonCode.CAPSULE_EXPIRED, "capsule createdAt "
                    + StrictJson.formatInstant(c.createdAt()) + " is beyond the allowed clock skew of "
                    + clockSkew.toSeconds() + " s");
        }

        // POLICY_VERSION_MISMATCH
        if (c.policyVersion() != policy.version()) {
            throw new VerificationException(ReasonCode.POLICY_VERSION_MISMATCH, String.format(Locale.ROOT,
                    "capsule was authorized under policy version %d, version %d is in force", c.policyVersion(),
                    policy.version()));
        }

        return new Unledgered(sc, c, env, patch, patchScopeProblem, proposer, checked, ignored);
    }

    /** REPLAY: an admitted capsule id, or a sequence not above its lineage's last admitted one. */
    private static void checkReplay(Capsule c, AdmissionLedger ledger) throws VerificationException {
        if (ledger.isAdmitted(c.capsuleId())) {
            throw new VerificationException(ReasonCode.REPLAY, "capsule " + c.capsuleId() + " was already admitted");
        }
        OptionalLong last = ledger.lastSequence(c.lineage());
        if (last.isPresent() && c.sequence() <= last.getAsLong()) {
            throw new VerificationException(ReasonCode.REPLAY, String.format(Locale.ROOT,
                    "sequence %d of lineage '%s' is not above the last admitted %d", c.sequence(), c.lineage(),
                    last.getAsLong()));
        }
    }

    /** The checks after REPLAY, in §5 order; they depend on the capsule and the policy only. */
    private Verdict afterReplay(Unledgered u, String environment, TrustedPolicy policy, Facts f)
            throws VerificationException {
        Capsule c = u.capsule();
        Policy.Environment env = u.env();
        Patch patch = u.patch();
        VerificationException patchScopeProblem = u.patchScopeProblem();
        Policy.Principal proposer = u.proposer();
        List<CheckedApproval> checked = u.checked();
        List<String> ignored = u.ignored();
        SignedCapsule sc = u.signed();

        // SCOPE_VIOLATION
        ScopeCheck.check(c, env, policy, patch, patchScopeProblem);

        // COMMAND_NOT_ALLOWED — argv prefixes, element for element; no shell ever interprets them.
        for (Capsule.ValidationStep step : c.validation()) {
            if (!commandAllowed(step.argv(), env.validationCommands())) {
                throw new VerificationException(ReasonCode.COMMAND_NOT_ALLOWED, "validation '" + step.name()
                        + "' argv " + step.argv() + " does not start with an allowed prefix of environment " + env.name());
            }
        }

        // TIER_NOT_AUTHORIZABLE
        Policy.Tier tier = policy.policy().tiers().get(c.tier());
        if (tier == null) {
            throw new VerificationException(ReasonCode.TIER_NOT_AUTHORIZABLE,
                    "tier " + c.tier() + " is not defined in policy version " + policy.version());
        }
        if (tier.never()) {
            throw new VerificationException(ReasonCode.TIER_NOT_AUTHORIZABLE, "tier " + c.tier() + " is never authorized");
        }
        if (tierRank(c.tier()) > tierRank(env.maxTier())) {
            throw new VerificationException(ReasonCode.TIER_NOT_AUTHORIZABLE, "tier " + c.tier()
                    + " is above environment " + env.name() + "'s maxTier " + env.maxTier());
        }

        // DIGEST_MISMATCH — an approval of something else (mix-and-match, SECURITY-TESTS D.21).
        for (CheckedApproval ca : checked) {
            Approval a = ca.approval();
            if (!a.capsuleDigest().equals(f.capsuleDigest) || !a.capsuleId().equals(c.capsuleId())) {
                throw new VerificationException(ReasonCode.DIGEST_MISMATCH, "approval #" + ca.index() + " by '"
                        + a.approver() + "' is for " + a.capsuleId() + " " + a.capsuleDigest() + ", not this capsule");
            }
        }

        // SELF_APPROVAL — also through a key the proposer shares with the approver.
        for (CheckedApproval ca : checked) {
            if (policy.identityOf(ca.approval().approver()).equals(policy.identityOf(proposer.id()))) {
                throw new VerificationException(ReasonCode.SELF_APPROVAL,
                        "proposer '" + proposer.id() + "' approved its own capsule");
            }
        }

        // REJECTED_BY_APPROVER — a reject from an approver whose role counts for this tier blocks the capsule; one from a
        // role that could not have approved it either is noted and does not.
        for (CheckedApproval ca : checked) {
            if (!ca.approval().approves()) {
                if (eligible(ca.approval(), tier)) {
                    throw new VerificationException(ReasonCode.REJECTED_BY_APPROVER, "'" + ca.approval().approver()
                            + "' (" + ca.approval().role() + ") rejected the capsule");
                }
                ignored.add("approval #" + ca.index() + ": reject by '" + ca.approval().approver() + "' in role '"
                        + ca.approval().role() + "', which does not count for tier " + c.tier());
            }
        }

        // AUTO_NOT_PERMITTED — policy-auto only by an automation principal with auto-approver, where the tier grants it.
        boolean autoSatisfied = false;
        for (CheckedApproval ca : checked) {
            Approval a = ca.approval();
            boolean automation = "automation".equals(ca.principal().kind());
            if (a.auto()) {
                if (!automation || !AUTO_APPROVER_ROLE.equals(a.role())) {
                    throw new VerificationException(ReasonCode.AUTO_NOT_PERMITTED, "'" + a.approver()
                            + "' is not an automation principal acting as auto-approver");
                }
                if (!tier.autoApproves(env.name())) {
                    throw new VerificationException(ReasonCode.AUTO_NOT_PERMITTED, "tier " + c.tier()
                            + " grants no auto-approval in environment " + env.name());
                }
                autoSatisfied = true;
            } else if (automation) {
                throw new VerificationException(ReasonCode.AUTO_NOT_PERMITTED, "automation principal '" + a.approver()
                        + "' signed with basis 'review'; automation may only sign 'policy-auto'");
            }
        }

        // TICKET_REQUIRED
        if (tier.ticketRequired()) {
            Pattern p = env.ticketPattern() == null ? null : Pattern.compile(env.ticketPattern());
            for (CheckedApproval ca : checked) {
                boolean counts = ca.approval().approves() && (ca.approval().auto() || eligible(ca.approval(), tier));
                if (!counts) {
                    continue; // only approvals that authorize the change must name its ticket
                }
                String t = ca.approval().ticket();
                if (t == null || (p != null && !p.matcher(t).matches())) {
                    throw new VerificationException(ReasonCode.TICKET_REQUIRED, "tier " + c.tier()
                            + " requires a change ticket" + (p == null ? "" : " matching " + env.ticketPattern())
                            + "; approval by '" + ca.approval().approver() + "' has " + (t == null ? "none" : "'" + t + "'"));
                }
            }
        }

        // THRESHOLD_NOT_MET
        List<Verdict.ApproverRef> counted = autoSatisfied ? autoRefs(checked) : threshold(c, tier, checked, policy, ignored);

        String mode = env.observeOnly() ? "observe" : c.mode();
        String detail = String.format(Locale.ROOT, "admitted under policy version %d by %s%s", policy.version(),
                counted.stream().map(r -> r.approver() + " (" + r.role() + ")").toList(),
                ignored.isEmpty() ? "" : "; ignored: " + String.join("; ", ignored));
        return new Verdict(Verdict.ADMITTED, null, detail, c.capsuleId(), f.capsuleDigest, environment, c.tier(),
                policy.version(), mode, counted, c, sc.capsule(), c.lineage(), c.sequence());
    }

    /**
     * Verifies one approval envelope: signature first, then strict parse, then that the claimed approver owns the key
     * and holds the claimed role. Returns null (and notes why in {@code ignored}) when it cannot count.
     *
     * @throws VerificationException MALFORMED for a verified but unparseable approval, ROLE_MISSING for a role the
     *                               approver does not hold
     */
    public CheckedApproval checkApproval(int index, Envelope env, TrustedPolicy policy, StrictJson.Limits limits,
                                         List<String> ignored) throws VerificationException {
        Dsse.Result r = Dsse.verify(env, policy.principalRing());
        if (!r.anyVerified()) {
            ignored.add("approval #" + index + (r.anyKnownKey() ? ": signature does not verify" : ": unknown key"));
            return null;
        }
        Approval a = env.readPayload(Approval.class, limits);
        PublicKeyHandle key = null;
        for (PublicKeyHandle k : r.verifiedKeys()) {
            if (policy.ownersOf(k).contains(a.approver())) {
                key = k;
                break;
            }
        }
        if (key == null) {
            ignored.add("approval #" + index + ": claims approver '" + a.approver() + "' but is signed by "
                    + owners(policy, r.verifiedKeys()));
            return null;
        }
        Policy.Principal p = policy.principal(a.approver()).orElseThrow();
        if (!p.hasRole(a.role())) {
            throw new VerificationException(ReasonCode.ROLE_MISSING,
                    "approver '" + a.approver() + "' does not hold role '" + a.role() + "'");
        }
        return new CheckedApproval(index, env, a, p, key);
    }

    private static List<Verdict.ApproverRef> autoRefs(List<CheckedApproval> checked) {
        List<Verdict.ApproverRef> refs = new ArrayList<>();
        for (CheckedApproval ca : checked) {
            if (ca.approval().auto()) {
                refs.add(ref(ca));
                break;
            }
        }
        return refs;
    }

    /**
     * Counts distinct eligible approvers and covers every required role with a different approver (a bipartite
     * matching, so one person holding two roles cannot satisfy both).
     */
    private static List<Verdict.ApproverRef> threshold(Capsule c, Policy.Tier tier, List<CheckedApproval> checked,
                                                        TrustedPolicy policy, List<String> ignored)
            throws VerificationException {
        List<String> required = tier.requiredRolesOrEmpty();
        // A principal counts once; principals sharing a key are one identity (TrustedPolicy#identityOf).
        Map<String, List<CheckedApproval>> byIdentity = new LinkedHashMap<>();
        for (CheckedApproval ca : checked) {
            Approval a = ca.approval();
            if (!a.approves() || a.auto()) {
                continue;
            }
            if (!eligible(a, tier)) {
                ignored.add("approval #" + ca.index() + ": role '" + a.role() + "' does not count for tier " + c.tier());
                continue;
            }
            byIdentity.computeIfAbsent(policy.identityOf(a.approver()), x -> new ArrayList<>()).add(ca);
        }
        int distinct = byIdentity.size();
        // Match each required role to a distinct identity that approved in that role.
        List<String> identities = new ArrayList<>(byIdentity.keySet());
        Map<String, String> roleOwner = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String role : required) {
            if (!augment(role, new HashSet<>(), required, identities, byIdentity, roleOwner)) {
                missing.add(role);
            }
        }
        int min = tier.minApprovalsOrZero();
        if (distinct < min || !missing.isEmpty()) {
            StringBuilder d = new StringBuilder(String.format(Locale.ROOT,
                    "%d distinct eligible approver(s) of %d required for tier %s", distinct, min, c.tier()));
            if (!missing.isEmpty()) {
                d.append("; no distinct approver for role(s) ").append(missing);
            }
            if (!ignored.isEmpty()) {
                d.append("; ignored: ").append(String.join("; ", ignored));
            }
            throw new VerificationException(ReasonCode.THRESHOLD_NOT_MET, d.toString());
        }
        List<Verdict.ApproverRef> refs = new ArrayList<>();
        for (String id : identities) {
            CheckedApproval pick = byIdentity.get(id).get(0);
            for (Map.Entry<String, String> e : roleOwner.entrySet()) {
                if (e.getValue().equals(id)) {
                    for (CheckedApproval ca : byIdentity.get(id)) {
                        if (ca.approval().role().equals(e.getKey())) {
                            pick = ca;
                        }
                    }
                }
            }
            refs.add(ref(pick));
        }
        return refs;
    }

    /** Kuhn's augmenting path for role → identity matching. */
    private static boolean augment(String role, Set<String> seen, List<String> required, List<String> identities,
                                   Map<String, List<CheckedApproval>> byIdentity, Map<String, String> roleOwner) {
        for (String id : identities) {
            if (seen.contains(id) || byIdentity.get(id).stream().noneMatch(ca -> ca.approval().role().equals(role))) {
                continue;
            }
            seen.add(id);
            String holder = null;
            for (Map.Entry<String, String> e : roleOwner.entrySet()) {
                if (e.getValue().equals(id)) {
                    holder = e.getKey();
                }
            }
            if (holder == null || augment(holder, seen, required, identities, byIdentity, roleOwner)) {
                roleOwner.put(role, id);
                return true;
            }
        }
        return false;
    }

    /** An approval's role counts for a tier: one of its requiredRoles, or any non-machine role if it names none. */
    static boolean eligible(Approval a, Policy.Tier tier) {
        List<String> required = tier.requiredRolesOrEmpty();
        return required.isEmpty() ? !TrustedPolicy.MACHINE_ROLES.contains(a.role()) : required.contains(a.role());
    }

    static boolean commandAllowed(List<String> argv, List<List<String>> prefixes) {
        for (List<String> prefix : prefixes) {
            if (argv.size() >= prefix.size() && argv.subList(0, prefix.size()).equals(prefix)) {
                return true;
            }
        }
        return false;
    }

    static int tierRank(String tier) {
        return tier.charAt(1) - '0';
    }

    private static Set<String> owners(TrustedPolicy policy, Set<PublicKeyHandle> keys) {
        Set<String> out = new LinkedHashSet<>();
        for (PublicKeyHandle k : keys) {
            out.addAll(policy.ownersOf(k));
        }
        return out;
    }

    private static Verdict.ApproverRef ref(CheckedApproval ca) {
        Approval a = ca.approval();
        return new Verdict.ApproverRef(a.approver(), a.role(), a.basis(), ca.key().keyid(), a.ticket());
    }
}
