package dev.airlock.deploy.stack;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The local site: the keys of every principal of the standard policy, the policy itself (version 1, signed by two of
 * three root keys) and the approval page's local users. Created on the first {@code airlock up}, kept in
 * {@code .airlock/site/} and reused afterwards.
 *
 * <p>On a real site each private key lives with its owner (a root key offline, alice's on her workstation, the runner's
 * on its edge host); the local stack keeps them in one directory because one person plays every part.
 */
public final class Site {
    public static final String ENVIRONMENT = "prod-enclave-1";
    public static final String FLEET = "fleet.dependency-bump";
    public static final String ALICE = "alice";
    public static final String BOB = "bob";
    public static final String AUTO = "governance.auto";
    public static final String RUNNER = "runner.edge-7";
    public static final String BRIDGE = "bridge.diode-1";
    public static final String GATEWAY = "gateway.enclave-1";
    public static final String EVIDENCE = "evidence.enclave-1";
    public static final List<String> ROOTS = List.of("root-1", "root-2", "root-3");
    public static final String TICKET_PATTERN = "^CHG[0-9]{7}$";
    /** users.properties entry: the password of the approval page's other local users (not principals of this site). */
    public static final String LOCAL_USERS = "local-users";
    /** users.properties entry: the key that encrypts the approval page's session cookies (stable across restarts). */
    public static final String SESSION_KEY = "approval-session-key";

    /** id → kind, roles (ARCHITECTURE §3.1). */
    private static final Map<String, List<String>> PRINCIPALS = new LinkedHashMap<>();

    static {
        PRINCIPALS.put(FLEET, List.of("agent", "proposer"));
        PRINCIPALS.put(ALICE, List.of("human", "service-owner"));
        PRINCIPALS.put(BOB, List.of("human", "security-officer"));
        PRINCIPALS.put(AUTO, List.of("automation", "auto-approver"));
        PRINCIPALS.put(RUNNER, List.of("runner", "runner"));
        PRINCIPALS.put(BRIDGE, List.of("bridge", "bridge"));
        PRINCIPALS.put(GATEWAY, List.of("gateway", "gateway"));
        PRINCIPALS.put(EVIDENCE, List.of("evidence", "evidence"));
    }

    private final Path dir;
    private final TrustedPolicy policy;
    private final byte[] policyEnvelope;
    private final Properties users;

    private Site(Path dir, TrustedPolicy policy, byte[] policyEnvelope, Properties users) {
        this.dir = dir;
        this.policy = policy;
        this.policyEnvelope = policyEnvelope;
        this.users = users;
    }

    /** What {@link #ensure} did, for the progress line. */
    public record Ensured(Site site, List<String> createdKeys, boolean createdPolicy) {
    }

    /** Opens the site in {@code dir}, creating what is missing (keys, policy v1, users). */
    public static Ensured ensure(Path dir, Clock clock) throws IOException {
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);
        List<String> created = new ArrayList<>();
        List<String> all = new ArrayList<>(ROOTS);
        all.addAll(PRINCIPALS.keySet());
        for (String id : all) {
            if (!Files.exists(KeyFiles.privateKeyPath(keys, id))) {
                KeyFiles.write(keys, id, SigningKey.generate(KeyAlgorithm.ED25519));
                created.add(id);
            }
        }
        Path envFile = policyFile(dir);
        boolean createdPolicy = false;
        if (!Files.exists(envFile)) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            Policy p = standardPolicy(keys, now);
            Files.write(dir.resolve("policy.json"), StrictJson.writePretty(p));
            byte[] env = Dsse.sign(PayloadTypes.POLICY, StrictJson.write(p), key(keys, ROOTS.get(0)), key(keys, ROOTS.get(1)))
                    .toJson();
            Files.write(envFile, env);
            createdPolicy = true;
        }
        byte[] env = Files.readAllBytes(envFile);
        TrustedPolicy trusted;
        try {
            // The same trust-on-install check every enclave component makes; checkExpiry false so an expired
            // local policy is reported below rather than making the site unreadable.
            trusted = new PolicyTrust(clock).accept(env, Optional.empty(), new InMemoryPolicyStore(), false).policy();
        } catch (VerificationException e) {
            throw new IOException("the site policy " + envFile + " does not verify: " + e.reason() + ": " + e.detail(), e);
        }
        Path usersFile = dir.resolve("users.properties");
        Properties users = new Properties();
        if (!Files.exists(usersFile)) {
            SecureRandom r = new SecureRandom();
            for (String u : List.of(ALICE, BOB, LOCAL_USERS, SESSION_KEY)) {
                byte[] b = new byte[u.equals(SESSION_KEY) ? 32 : 12];
                r.nextBytes(b);
                users.setProperty(u, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
            }
            Files.createFile(usersFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (var w = Files.newBufferedWriter(usersFile, StandardCharsets.UTF_8)) {
                users.store(w, "approval page users of the local stack (user = principal id), random passwords; "
                        + "local-users: the page's other built-in users; approval-session-key: its cookie key");
            }
        } else {
            try (var r = Files.newBufferedReader(usersFile, StandardCharsets.UTF_8)) {
                users.load(r);
            }
        }
        for (String u : List.of(ALICE, BOB, LOCAL_USERS, SESSION_KEY)) {
            if (users.getProperty(u, "").isBlank()) {
                throw new IOException(usersFile + " has no password for " + u + "; delete the file to get new ones");
            }
        }
        return new Ensured(new Site(dir, trusted, env, users), created, createdPolicy);
    }

    /**
     * The standard policy of the local site: 2-of-3 roots, the principals above, tiers T0..T2, one apply environment
     * whose scope and validation commands fit the demo's sample repository.
     */
    static Policy standardPolicy(Path keys, Instant now) throws IOException {
        List<Policy.KeyRef> roots = new ArrayList<>();
        for (String r : ROOTS) {
            roots.add(ref(publicKey(keys, r)));
        }
        List<Policy.Principal> principals = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : PRINCIPALS.entrySet()) {
            principals.add(new Policy.Principal(e.getKey(), e.getValue().get(0), List.of(e.getValue().get(1)),
                    List.of(ref(publicKey(keys, e.getKey())))));
        }
        Map<String, Policy.Tier> tiers = new LinkedHashMap<>();
        tiers.put("T0", new Policy.Tier("never", null, null, null, null));
        tiers.put("T1", new Policy.Tier("approvals", 1, List.of("service-owner"), null, null));
        tiers.put("T2", new Policy.Tier("approvals", 2, List.of("service-owner", "security-officer"), null, true));
        Policy.Environment env = new Policy.Environment(ENVIRONMENT, "apply", "T2",
                new Policy.Scope(List.of("pom.xml", "services/payments/**"), List.of("**/.git/**", "**/secrets/**")),
                List.of(List.of("sh", "validate.sh"), List.of("mvn", "-q", "-o")),
                TICKET_PATTERN, 4L * 1024 * 1024,
                new Policy.Egress("sanitized", List.of("/predicate/outcome", "/predicate/validation/*/exitCode")), 365);
        return new Policy(Policy.SCHEMA, 1, now, now.plus(Duration.ofDays(365)), new Policy.Root(2, roots), principals,
                tiers, List.of(env));
    }

    private static Policy.KeyRef ref(PublicKeyHandle k) {
        return new Policy.KeyRef(k.keyid(), k.toPem());
    }

    private static PublicKeyHandle publicKey(Path keys, String id) throws IOException {
        try {
            return KeyFiles.readPublic(KeyFiles.publicKeyPath(keys, id));
        } catch (KeyFormatException e) {
            throw new IOException("bad public key " + KeyFiles.publicKeyPath(keys, id) + ": " + e.getMessage(), e);
        }
    }

    private static SigningKey key(Path keys, String id) throws IOException {
        try {
            return KeyFiles.readPrivate(KeyFiles.privateKeyPath(keys, id));
        } catch (KeyFormatException e) {
            throw new IOException("bad private key " + KeyFiles.privateKeyPath(keys, id) + ": " + e.getMessage(), e);
        }
    }

    static Path policyFile(Path dir) {
        return dir.resolve("policy-v1.dsse.json");
    }

    public Path dir() {
        return dir;
    }

    public Path keys() {
        return dir.resolve("keys");
    }

    public Path privateKey(String id) {
        return KeyFiles.privateKeyPath(keys(), id);
    }

    public Path publicKey(String id) {
        return KeyFiles.publicKeyPath(keys(), id);
    }

    public SigningKey signingKey(String id) throws IOException {
        return key(keys(), id);
    }

    public Path policyEnvelopeFile() {
        return policyFile(dir);
    }

    public byte[] policyEnvelope() {
        return policyEnvelope.clone();
    }

    public TrustedPolicy policy() {
        return policy;
    }

    public String password(String user) {
        return users.getProperty(user);
    }

    public Path usersFile() {
        return dir.resolve("users.properties");
    }
}
