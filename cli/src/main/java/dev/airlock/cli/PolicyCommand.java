package dev.airlock.cli;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

@Command(name = "policy", mixinStandardHelpOptions = true, description = "Sign policies.",
        subcommands = PolicyCommand.Sign.class)
final class PolicyCommand extends Group {

    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Sign a policy (schema airlock.policy/v1) with one or more root keys into a DSSE envelope.",
                    "The policy is checked first exactly as a verifier reads it (strict JSON, every key decodes, tiers "
                            + "name held roles). Then the signatures are counted against the policy's own root: with "
                            + "fewer than root.threshold distinct root keys it is written anyway (for countersigning "
                            + "with --add-to) but verifiers refuse it (POLICY_INVALID) until more root keys sign.",
                    "A new version (n+1) must also carry root.threshold signatures of version n's root keys "
                            + "(rotation); --previous checks that."})
    static final class Sign extends Leaf {
        static final class Source {
            @Option(names = "--in", required = true, paramLabel = "policy.json", description = "The policy document to sign.")
            Path in;

            @Option(names = "--add-to", required = true, paramLabel = "policy.dsse.json",
                    description = "Countersign an already signed policy (its payload is kept byte for byte).")
            Path addTo;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--key", required = true, paramLabel = "K.key.pem",
                description = "A root private key; repeat for several keys.")
        List<Path> keys;

        @Option(names = "--out", required = true, paramLabel = "policy.dsse.json", description = "Where to write the envelope.")
        Path out;

        @Option(names = "--previous", paramLabel = "policy-vN.dsse.json",
                description = "The signed policy this one replaces: check it would be accepted as the next version.")
        Path previous;

        @Override
        int execute() throws CliException {
            byte[] payload;
            Envelope base = null;
            Path from;
            if (source.in != null) {
                from = source.in;
                payload = Io.readDocument(from, "policy");
            } else {
                from = source.addTo;
                base = Io.readEnvelope(from, "signed policy");
                requirePolicyType(base, from);
                payload = base.payloadBytes();
            }
            Policy policy = Io.parse(payload, Policy.class, from, "policy");
            checkMeaning(policy, from);
            List<PublicKeyHandle> root = decodeRoot(policy, from);
            KeyRing rootRing = new KeyRing(root);
            int threshold = policy.root().threshold();

            TrustedPolicy prev = previous == null ? null : readPrevious(policy);
            List<SigningKey> signers = new ArrayList<>();
            for (Path k : keys) {
                SigningKey key = Io.readKey(k, this::warn);
                boolean counts = root.contains(key.publicKey()) || (prev != null && prev.rootKeys().contains(key.publicKey()));
                if (!counts) {
                    warn(String.format(Locale.ROOT, "key '%s' (keyid %s) is not a root key of this policy%s; "
                            + "its signature does not count", k, key.keyid(), prev == null ? "" : " or of version " + prev.version()));
                }
                signers.add(key);
            }

            Envelope env;
            if (base == null) {
                env = Dsse.sign(PayloadTypes.POLICY, payload, signers);
            } else {
                // A key that already signed is not added twice (it would count once anyway).
                Set<PublicKeyHandle> already = Dsse.verify(base, new KeyRing(publicKeys(signers))).verifiedKeys();
                List<SigningKey> fresh = new ArrayList<>();
                for (SigningKey k : signers) {
                    if (already.contains(k.publicKey())) {
                        progress("key %s already signed this policy; skipped", k.keyid());
                    } else if (fresh.stream().noneMatch(f -> f.publicKey().equals(k.publicKey()))) {
                        fresh.add(k);
                    }
                }
                env = fresh.isEmpty() ? base : Dsse.addSignatures(base, fresh);
            }
            if (env.signatures().size() > Envelope.MAX_SIGNATURES) {
                throw new CliException(String.format(Locale.ROOT, "the envelope would carry %d signatures; verifiers "
                        + "accept at most %d", env.signatures().size(), Envelope.MAX_SIGNATURES));
            }
            byte[] bytes = env.toJson();

            int own = Dsse.verify(env, rootRing).verifiedKeys().size();
            boolean trustedOnInstall = own >= threshold;
            if (trustedOnInstall) {
                try {
                    new PolicyTrust(clock()).accept(bytes, Optional.empty(), new InMemoryPolicyStore(), false);
                } catch (VerificationException e) {
                    throw new CliException("the signed policy would be refused: " + e.reason() + ": " + e.detail(), e);
                }
            }

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("version", policy.version());
            r.put("digest", env.payloadDigest());
            r.put("signatures", env.signatures().size());
            r.put("rootSignatures", own);
            r.put("rootThreshold", threshold);
            r.put("trustedOnInstall", trustedOnInstall);

            Boolean rotation = null;
            if (prev != null) {
                int old = Dsse.verify(env, prev.rootRing()).verifiedKeys().size();
                rotation = old >= prev.rootThreshold() && trustedOnInstall;
                if (rotation) {
                    InMemoryPolicyStore history = new InMemoryPolicyStore();
                    history.install(prev);
                    try {
                        new PolicyTrust(clock()).accept(bytes, Optional.of(prev), history, false);
                    } catch (VerificationException e) {
                        throw new CliException("as the successor of version " + prev.version() + " the policy would be "
                                + "refused: " + e.reason() + ": " + e.detail(), e);
                    }
                }
                r.put("previousVersion", prev.version());
                r.put("previousRootSignatures", old);
                r.put("previousRootThreshold", prev.rootThreshold());
                r.put("acceptedAsNextVersion", rotation);
                if (old < prev.rootThreshold()) {
                    warn(String.format(Locale.ROOT, "as the successor of version %d this policy needs signatures by %d "
                                    + "of version %d's root keys (a rotation is signed by old and new root keys); it has %d. "
                                    + "Verifiers holding version %d will refuse it (POLICY_INVALID) until enough of those keys countersign: "
                                    + "airlock policy sign --add-to %s --key OLD-ROOT.key.pem --previous %s --out %s",
                            prev.version(), prev.rootThreshold(), prev.version(), old, prev.version(), out, previous, out));
                }
            }

            if (!trustedOnInstall) {
                warn(String.format(Locale.ROOT, "%d of this policy's root keys signed it; its root threshold is %d. "
                                + "Verifiers will refuse it (POLICY_INVALID) until more root keys countersign: "
                                + "airlock policy sign --add-to %s --key ROOT.key.pem --out %s",
                        own, threshold, out, out));
            }
            if (!clock().instant().isBefore(policy.expiresAt())) {
                warn("the policy expired at " + StrictJson.formatInstant(policy.expiresAt())
                        + "; verifiers will answer POLICY_EXPIRED");
            }
            if (prev == null && policy.version() > 1) {
                progress("note: version %d replaces version %d; a verifier holding version %d also requires signatures "
                        + "by its root keys (check with --previous)", policy.version(), policy.version() - 1, policy.version() - 1);
            }

            Io.write(out, Io.withNewline(bytes));
            progress("signed policy version %d (%s): %d of its root keys signed, threshold %d: %s -> %s",
                    policy.version(), env.payloadDigest(), own, threshold,
                    trustedOnInstall ? "trusted on install" : "not trusted yet", out);
            result(r);
            return ExitCodes.OK;
        }

        private static void requirePolicyType(Envelope env, Path file) throws CliException {
            try {
                env.requirePayloadType(PayloadTypes.POLICY);
            } catch (VerificationException e) {
                throw Io.invalid(file, "signed policy", e);
            }
        }

        private TrustedPolicy readPrevious(Policy next) throws CliException {
            Envelope env = Io.readEnvelope(previous, "previous policy");
            requirePolicyType(env, previous);
            TrustedPolicy prev;
            try {
                // Expiry is not the point here: an expired predecessor is exactly what gets replaced.
                prev = new PolicyTrust(clock()).accept(env.toJson(), Optional.empty(), new InMemoryPolicyStore(), false)
                        .policy();
            } catch (VerificationException e) {
                throw Io.invalid(previous, "previous policy", e);
            }
            if (next.version() <= prev.version()) {
                throw new CliException(String.format(Locale.ROOT, "version %d is not above the previous version %d: "
                        + "verifiers holding version %d would answer POLICY_ROLLBACK", next.version(), prev.version(),
                        prev.version()));
            }
            if (next.version() != prev.version() + 1) {
                throw new CliException(String.format(Locale.ROOT, "version %d skips version %d: policies are rotated "
                        + "one version at a time", next.version(), prev.version() + 1));
            }
            return prev;
        }

        /**
         * Checks everything but the root with capsule-core's own rules: the same document with a throw-away root, signed by
         * that root, must be trusted on install. (So tier roles, principal keys, auto-approve environments are judged by the
         * verifier's code, not re-implemented here; the real root is checked by {@link #decodeRoot}.)
         */
        private void checkMeaning(Policy p, Path from) throws CliException {
            SigningKey probe = SigningKey.generate(KeyAlgorithm.ED25519);
            Policy probed = new Policy(p.schema(), p.version(), p.issuedAt(), p.expiresAt(),
                    new Policy.Root(1, List.of(new Policy.KeyRef(probe.keyid(), probe.publicKey().toPem()))),
                    p.principals(), p.tiers(), p.environments());
            byte[] env = Dsse.sign(PayloadTypes.POLICY, StrictJson.write(probed), probe).toJson();
            try {
                new PolicyTrust(clock()).accept(env, Optional.empty(), new InMemoryPolicyStore(), false);
            } catch (VerificationException e) {
                throw Io.invalid(from, "policy", e);
            }
        }

        /** The root keys, decoded and checked as {@code TrustedPolicy} does (each carries its true keyid, threshold in range). */
        private static List<PublicKeyHandle> decodeRoot(Policy p, Path from) throws CliException {
            Set<PublicKeyHandle> keys = new LinkedHashSet<>();
            for (Policy.KeyRef ref : p.root().keys()) {
                PublicKeyHandle k;
                try {
                    k = PublicKeyHandle.fromPem(ref.publicKeyPem());
                } catch (KeyFormatException e) {
                    throw new CliException("policy '" + from + "' is not valid: POLICY_INVALID: root key " + ref.keyid()
                            + ": " + e.getMessage(), e);
                }
                if (!k.keyid().equals(ref.keyid())) {
                    throw new CliException("policy '" + from + "' is not valid: POLICY_INVALID: root lists keyid "
                            + ref.keyid() + " for a key whose keyid is " + k.keyid());
                }
                keys.add(k);
            }
            int t = p.root().threshold();
            if (t < 1 || t > keys.size()) {
                throw new CliException(String.format(Locale.ROOT, "policy '%s' is not valid: POLICY_INVALID: root "
                        + "threshold %d is not between 1 and the %d distinct root keys", from, t, keys.size()));
            }
            return new ArrayList<>(keys);
        }

        private static List<PublicKeyHandle> publicKeys(List<SigningKey> keys) {
            return keys.stream().map(SigningKey::publicKey).toList();
        }
    }
}
