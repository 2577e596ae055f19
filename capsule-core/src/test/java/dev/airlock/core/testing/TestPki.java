package dev.airlock.core.testing;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Reproducible test PKI and documents: every principal's Ed25519 key is derived from its name, the clock is fixed,
 * so signatures (deterministic in Ed25519) and fixture files are byte-for-byte stable. Shared with the services'
 * tests through capsule-core's test-jar. Nothing here is used in production code.
 */
public final class TestPki {
    public static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    public static final String PROD = "prod-enclave-1";
    public static final String STAGING = "staging";
    public static final String OBSERVE = "observe-lab";

    public static final String POM_BEFORE = "<project>\n  <dependency>\n    <artifactId>log4j-core</artifactId>\n"
            + "    <version>2.14.1</version>\n  </dependency>\n</project>\n";
    public static final String POM_AFTER = POM_BEFORE.replace("2.14.1", "2.17.1");
    public static final String POM_PATCH = "--- a/pom.xml\n+++ b/pom.xml\n@@ -1,6 +1,6 @@\n <project>\n   <dependency>\n"
            + "     <artifactId>log4j-core</artifactId>\n-    <version>2.14.1</version>\n+    <version>2.17.1</version>\n"
            + "   </dependency>\n </project>\n";

    private final Map<String, SigningKey> keys = new LinkedHashMap<>();
    private final List<SigningKey> roots = new ArrayList<>();

    public TestPki() {
        for (String id : List.of("alice", "bob", "carol", "dave", "erin", "fleet.dependency-bump", "governance.auto",
                "runner.edge-7", "bridge.diode-1", "gateway.enclave-1", "evidence.enclave-1")) {
            keys.put(id, key(id));
        }
        for (int i = 1; i <= 5; i++) {
            roots.add(key("root-" + i));
        }
    }

    /** A deterministic Ed25519 key derived from {@code name}. */
    public static SigningKey key(String name) {
        return SigningKey.ed25519FromSeed(Hex.sha256(("airlock-test-key:" + name).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A deterministic ECDSA P-256 key derived from {@code name} (the scalar is SHA-256 of the name, reduced into
     * [1, n-1]); RFC 6979 nonces make its signatures reproducible too. For PIV/HSM-style principals in fixtures.
     */
    public static SigningKey p256Key(String name) {
        java.math.BigInteger n = new java.math.BigInteger(
                "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
        java.math.BigInteger d = new java.math.BigInteger(1,
                Hex.sha256(("airlock-test-p256:" + name).getBytes(StandardCharsets.UTF_8)))
                .mod(n.subtract(java.math.BigInteger.ONE)).add(java.math.BigInteger.ONE);
        try {
            return SigningKey.p256FromScalar(d);
        } catch (dev.airlock.core.crypto.KeyFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock fixed at {@code instant}, for scenarios that need another "now". */
    public static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    public static Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    public SigningKey key(String principal, boolean x) {
        return keys.get(principal);
    }

    public SigningKey of(String principal) {
        SigningKey k = keys.get(principal);
        if (k == null) {
            throw new IllegalArgumentException("no test key for " + principal);
        }
        return k;
    }

    public SigningKey root(int i) {
        return roots.get(i - 1);
    }

    public static Policy.KeyRef ref(SigningKey k) {
        return new Policy.KeyRef(k.keyid(), k.publicKey().toPem());
    }

    public Policy.Principal principal(String id, String kind, String... roles) {
        return new Policy.Principal(id, kind, List.of(roles), List.of(ref(of(id))));
    }

    /** The standard policy: 2-of-3 root, the principals of ARCHITECTURE §3.1, three environments. */
    public Policy policy(long version) {
        return new Policy(Policy.SCHEMA, version, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)),
                new Policy.Root(2, List.of(ref(root(1)), ref(root(2)), ref(root(3)))),
                List.of(principal("alice", "human", "service-owner"),
                        principal("bob", "human", "security-officer"),
                        principal("carol", "human", "authorizing-official"),
                        principal("dave", "human", "service-owner"),
                        principal("erin", "human", "service-owner", "security-officer"),
                        principal("fleet.dependency-bump", "agent", "proposer"),
                        principal("governance.auto", "automation", "auto-approver"),
                        principal("runner.edge-7", "runner", "runner"),
                        principal("bridge.diode-1", "bridge", "bridge"),
                        principal("gateway.enclave-1", "gateway", "gateway"),
                        principal("evidence.enclave-1", "evidence", "evidence")),
                Map.of("T0", new Policy.Tier("never", null, null, null, null),
                        "T1", new Policy.Tier("approvals", 1, List.of("service-owner"), List.of(STAGING), null),
                        "T2", new Policy.Tier("approvals", 2, List.of("service-owner", "security-officer"), null, true),
                        "T3", new Policy.Tier("approvals", 3,
                                List.of("service-owner", "security-officer", "authorizing-official"), null, true)),
                List.of(environment(PROD, "apply", "T3"), environment(STAGING, "apply", "T2"),
                        environment(OBSERVE, "observe", "T3")));
    }

    public static Policy.Environment environment(String name, String mode, String maxTier) {
        return new Policy.Environment(name, mode, maxTier,
                new Policy.Scope(List.of("services/payments/**", "pom.xml"), List.of("**/.git/**", "**/secrets/**")),
                List.of(List.of("mvn", "-q", "-o"), List.of("./gradlew", "test"), List.of("sh", "validate.sh")),
                "^CHG[0-9]{7}$", 4L * 1024 * 1024,
                new Policy.Egress("sanitized", List.of("/predicate/outcome", "/predicate/validation/*/exitCode")), 365);
    }

    public byte[] signPolicy(Policy p, SigningKey... rootKeys) {
        return Dsse.sign(PayloadTypes.POLICY, StrictJson.write(p), rootKeys).toJson();
    }

    /** The standard policy v1, signed by roots 1 and 2, trusted on install. */
    public TrustedPolicy trusted() {
        return trust(signPolicy(policy(1), root(1), root(2)));
    }

    public static TrustedPolicy trust(byte[] envelope) {
        try {
            return new PolicyTrust(clock()).accept(envelope, Optional.empty(), new InMemoryPolicyStore()).policy();
        } catch (VerificationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid T2 capsule for {@link #PROD} bumping log4j in pom.xml. */
    public Capsule capsule() {
        return capsule(c -> c);
    }

    public Capsule capsule(UnaryOperator<CapsuleSpec> tweak) {
        return tweak.apply(new CapsuleSpec()).build();
    }

    /** Mutable spec for a capsule: tests change one field and build. */
    public static final class CapsuleSpec {
        public String schema = Capsule.SCHEMA;
        public String capsuleId = "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01";
        public String lineage = "payments-api:CVE-2021-44228";
        public long sequence = 3;
        public Instant createdAt = NOW.minus(Duration.ofMinutes(10));
        public Instant expiresAt = NOW.plus(Duration.ofDays(7));
        public String environment = PROD;
        public String mode = "apply";
        public String tier = "T2";
        public long policyVersion = 1;
        public String proposer = "fleet.dependency-bump";
        public Capsule.Finding finding = new Capsule.Finding("sarif", "CVE-2021-44228", "fp-1", "CVE-2021-44228",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "2.17.1",
                new Capsule.Reachability(true, List.of("internet", "api-gateway", "payments-api",
                        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")),
                new Capsule.Exploitability(true, "0.97", "act"));
        public Capsule.Target target = new Capsule.Target("payments-api", "9c1e5a0");
        public List<Capsule.FileChange> files = List.of(new Capsule.FileChange("pom.xml",
                Hex.digest(POM_BEFORE.getBytes(StandardCharsets.UTF_8)), Hex.digest(POM_AFTER.getBytes(StandardCharsets.UTF_8))));
        public String patch = POM_PATCH;
        public List<Capsule.ValidationStep> validation = List.of(
                new Capsule.ValidationStep("build", List.of("mvn", "-q", "-o", "verify"), 900));

        public CapsuleSpec with(java.util.function.Consumer<CapsuleSpec> c) {
            c.accept(this);
            return this;
        }

        public Capsule build() {
            return new Capsule(schema, capsuleId, lineage, sequence, createdAt, expiresAt, environment, mode, tier,
                    policyVersion, proposer, finding, target, new Capsule.Manifest(files),
                    new Capsule.Change("unified-diff", patch), validation, new Capsule.Rollback("restore-before-state"));
        }
    }

    public Envelope signCapsule(Capsule c) {
        return signCapsule(c, of(c.proposer()));
    }

    public static Envelope signCapsule(Capsule c, SigningKey k) {
        return Dsse.sign(PayloadTypes.CAPSULE, StrictJson.write(c), k);
    }

    public Envelope approve(Envelope capsule, String approver, String role) {
        return approval(capsule, approver, role, Approval.APPROVE, "CHG0012345", Approval.REVIEW, of(approver));
    }

    public Envelope approval(Envelope capsule, String approver, String role, String decision, String ticket, String basis,
                             SigningKey key) {
        Capsule c;
        try {
            c = StrictJson.read(capsule.payloadBytes(), Capsule.class, StrictJson.SIGNED);
        } catch (VerificationException e) {
            throw new IllegalStateException(e);
        }
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), c.capsuleId(), approver, role, decision, ticket,
                NOW.minus(Duration.ofMinutes(5)), basis);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    public static byte[] bundle(Envelope capsule, Envelope... approvals) {
        return SignedCapsule.of(capsule, List.of(approvals)).toJson();
    }

    /** A standard T2 signed capsule approved by alice (service-owner) and bob (security-officer). */
    public byte[] admissible() {
        Envelope c = signCapsule(capsule());
        return bundle(c, approve(c, "alice", "service-owner"), approve(c, "bob", "security-officer"));
    }
}
