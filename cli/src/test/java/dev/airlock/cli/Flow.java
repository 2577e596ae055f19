package dev.airlock.cli;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.TestPki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worked example of the README, step by step through the CLI in a temporary directory: keys, policy, capsule,
 * approvals, bundle, verify. Documents are written as files a user would write; every signature is made by the CLI.
 */
final class Flow {
    static final String ENV = TestPki.PROD;
    static final String TICKET = "CHG0012345";
    static final String PROPOSER = "fleet.dependency-bump";

    final Path dir;

    Flow(Path dir) {
        this.dir = dir;
    }

    Path keys() {
        return dir.resolve("keys");
    }

    Path key(String id) {
        return KeyFiles.privateKeyPath(keys(), id);
    }

    Path pub(String id) {
        return KeyFiles.publicKeyPath(keys(), id);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** {@code airlock keys generate} for each id (Ed25519). */
    Flow keys(String... ids) {
        for (String id : ids) {
            generate(id, "ed25519");
        }
        return this;
    }

    Cli.Run generate(String id, String alg) {
        return Cli.run("keys", "generate", "--id", id, "--out", keys().toString(), "--alg", alg).assertExit(0);
    }

    /** The standard worked-example keys: three roots, the proposer fleet, alice, bob and a runner. */
    Flow standardKeys() {
        return keys("root-1", "root-2", "root-3", PROPOSER, "alice", "bob", "runner.edge-7");
    }

    /** The policy entry of a key; the keyid is computed here from the PEM (SHA-256 of the DER), not by capsule-core. */
    Policy.KeyRef ref(String id) {
        try {
            String pem = Files.readString(pub(id));
            return new Policy.KeyRef(keyid(pem), pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read public key of " + id, e);
        }
    }

    static String keyid(String pem) {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The worked-example policy: a 2-of-N root; alice (service-owner, and allowed to propose), bob (security-officer),
     * the dependency-bump fleet (proposer), a runner; T2 needs both roles, two approvers and a ticket.
     */
    Policy policy(long version, int threshold, String... rootIds) {
        List<Policy.KeyRef> root = new ArrayList<>();
        for (String r : rootIds) {
            root.add(ref(r));
        }
        Map<String, Policy.Tier> tiers = new LinkedHashMap<>();
        tiers.put("T0", new Policy.Tier("never", null, null, null, null));
        tiers.put("T1", new Policy.Tier("approvals", 1, List.of("service-owner"), null, null));
        tiers.put("T2", new Policy.Tier("approvals", 2, List.of("service-owner", "security-officer"), null, true));
        return new Policy(Policy.SCHEMA, version, TestPki.NOW.minus(Duration.ofDays(1)),
                TestPki.NOW.plus(Duration.ofDays(90)), new Policy.Root(threshold, root),
                List.of(principal(PROPOSER, "agent", "proposer"),
                        principal("alice", "human", "service-owner", "proposer"),
                        principal("bob", "human", "security-officer"),
                        principal("runner.edge-7", "runner", "runner")),
                tiers,
                List.of(new Policy.Environment(ENV, "apply", "T2",
                        new Policy.Scope(List.of("services/payments/**", "pom.xml"), List.of("**/.git/**", "**/secrets/**")),
                        List.of(List.of("mvn", "-q", "-o")), "^CHG[0-9]{7}$", null,
                        new Policy.Egress("local-only", null), null)));
    }

    Policy.Principal principal(String id, String kind, String... roles) {
        return new Policy.Principal(id, kind, List.of(roles), List.of(ref(id)));
    }

    Path write(String name, Object document) {
        return write(name, StrictJson.writePretty(document));
    }

    Path write(String name, byte[] bytes) {
        try {
            Path p = file(name);
            Files.write(p, bytes);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code airlock policy sign --in NAME.json --key … --out NAME.dsse.json}, expected to succeed. */
    Path signPolicy(Policy p, String name, String... rootIds) {
        Path in = write(name + ".json", p);
        Path out = file(name + ".dsse.json");
        List<String> args = new ArrayList<>(List.of("policy", "sign", "--in", in.toString()));
        for (String r : rootIds) {
            args.add("--key");
            args.add(key(r).toString());
        }
        args.addAll(List.of("--out", out.toString()));
        Cli.run(args.toArray(String[]::new)).assertExit(0);
        return out;
    }

    /** The standard policy v1 (roots 1-3, threshold 2) signed by roots 1 and 2. */
    Path standardPolicy() {
        return signPolicy(policy(1, 2, "root-1", "root-2", "root-3"), "policy", "root-1", "root-2");
    }

    /** Writes {@code NAME.json} from TestPki's standard T2 capsule (tweaked) and signs it with the proposer's key. */
    Path capsule(String name, String proposerKey, UnaryOperator<TestPki.CapsuleSpec> tweak) {
        Path in = write(name + ".json", new TestPki().capsule(tweak));
        Path out = file(name + ".dsse.json");
        Cli.run("capsule", "sign", "--in", in.toString(), "--key", key(proposerKey).toString(), "--out", out.toString())
                .assertExit(0);
        return out;
    }

    Path capsule() {
        return capsule("capsule", PROPOSER, c -> c);
    }

    /** {@code airlock capsule approve … --ticket CHG0012345}, plus extra options. */
    Path approve(Path capsule, String approver, String role, String... extra) {
        Path out = file(capsule.getFileName().toString().replace(".dsse.json", "") + "." + approver + ".approval.dsse.json");
        List<String> args = new ArrayList<>(List.of("capsule", "approve", "--capsule", capsule.toString(),
                "--key", key(approver).toString(), "--approver", approver, "--role", role, "--ticket", TICKET,
                "--out", out.toString()));
        args.addAll(List.of(extra));
        Cli.run(args.toArray(String[]::new)).assertExit(0);
        return out;
    }

    Path bundle(Path capsule, String name, Path... approvals) {
        Path out = file(name);
        List<String> args = new ArrayList<>(List.of("capsule", "bundle", "--capsule", capsule.toString()));
        for (Path a : approvals) {
            args.add("--approval");
            args.add(a.toString());
        }
        args.addAll(List.of("--out", out.toString()));
        Cli.run(args.toArray(String[]::new)).assertExit(0);
        return out;
    }

    /** The standard signed capsule: proposed by the fleet, approved by alice and bob. */
    Path admissible() {
        Path c = capsule();
        return bundle(c, "signed-capsule.json", approve(c, "alice", "service-owner"), approve(c, "bob", "security-officer"));
    }

    Cli.Run verify(Path policy, Path signedCapsule, String... extra) {
        List<String> args = new ArrayList<>(List.of("capsule", "verify", "--policy", policy.toString(),
                "--environment", ENV, "--capsule", signedCapsule.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    static void assertVerdict(Cli.Run r, int exit, String verdict, String reason) {
        r.assertExit(exit).assertNoStackTrace();
        assertEquals(verdict, r.verdict(), r::toString);
        assertEquals(reason, r.reason(), r::toString);
    }
}
