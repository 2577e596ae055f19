package dev.airlock.evidence;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The test world: TestPki's deterministic keys, a policy with one environment per egress mode, and evidence bundles
 * whose stdout, stderr and paths carry marker strings that must never reach an outbound topic unless allowed.
 */
public final class Fixtures {
    public static final TestPki PKI = new TestPki();
    public static final String LOG = "evidence.enclave-1";
    /** egress sanitized, allow outcome and exit codes. */
    public static final String SANITIZED_ENV = TestPki.PROD;
    /** egress metadata-only. */
    public static final String METADATA_ENV = TestPki.STAGING;
    /** egress local-only. */
    public static final String LOCAL_ENV = TestPki.OBSERVE;
    /** local-only, retentionDays 1. */
    public static final String RETENTION_ENV = "retention-lab";
    /** metadata-only in policy v1, sanitized in v2 (projection follows the policy in force at append). */
    public static final String ROTATION_ENV = "rotation-lab";
    public static final List<String> ALLOW = List.of("/predicate/outcome", "/predicate/validation/*/exitCode");

    public static final String SECRET_STDOUT = "SECRET-STDOUT-7f3a token=hunter2";
    public static final String SECRET_STDERR = "SECRET-STDERR-91bc at /home/build/.m2";
    public static final String SECRET_PATH = "services/payments/SECRET-PATH-44d1.properties";

    private Fixtures() {
    }

    public static Policy policy(long version) {
        Policy p = PKI.policy(version);
        return new Policy(p.schema(), version, p.issuedAt(), p.expiresAt(), p.root(), p.principals(), p.tiers(),
                List.of(env(SANITIZED_ENV, new Policy.Egress("sanitized", ALLOW), 365),
                        env(METADATA_ENV, new Policy.Egress("metadata-only", List.of()), 365),
                        env(LOCAL_ENV, new Policy.Egress("local-only", List.of()), 365),
                        env(RETENTION_ENV, new Policy.Egress("local-only", List.of()), 1),
                        env(ROTATION_ENV, version == 1 ? new Policy.Egress("metadata-only", List.of())
                                : new Policy.Egress("sanitized", List.of("/predicate/outcome")), 365)));
    }

    static Policy.Environment env(String name, Policy.Egress egress, int retentionDays) {
        Policy.Environment e = TestPki.environment(name, "apply", "T3");
        return new Policy.Environment(e.name(), e.mode(), e.maxTier(), e.scope(), e.validationCommands(),
                e.ticketPattern(), e.maxCapsuleBytes(), egress, retentionDays);
    }

    public static byte[] policyBytes() {
        return PKI.signPolicy(policy(1), PKI.root(1), PKI.root(2));
    }

    /** Version 2, signed by the roots of version 1 (the same root keys). */
    public static byte[] policyV2Bytes() {
        return PKI.signPolicy(policy(2), PKI.root(1), PKI.root(2));
    }

    public static TrustedPolicy trusted() {
        return TestPki.trust(policyBytes());
    }

    public static SigningKey evidenceKey() {
        return PKI.of(LOG);
    }

    /** A digest per capsule id, so subjects differ. */
    public static String capsuleDigest(String capsuleId) {
        return Hex.digest(("capsule " + capsuleId).getBytes(StandardCharsets.UTF_8));
    }

    public static EvidencePredicate predicate(String capsuleId, String env, String outcome, String producer) {
        boolean rejected = "REJECTED".equals(outcome);
        Instant start = TestPki.NOW.minus(Duration.ofMinutes(3));
        String pom = Hex.digest(TestPki.POM_BEFORE.getBytes(StandardCharsets.UTF_8)).substring(7);
        return new EvidencePredicate(capsuleId, env, "T2", "payments-api:CVE-2021-44228", "apply",
                new EvidencePredicate.Component(producer, "0.1.0"), outcome,
                new EvidencePredicate.Admission(rejected ? "rejected" : "admitted",
                        rejected ? "THRESHOLD_NOT_MET" : null, 1L,
                        List.of(new EvidencePredicate.Approver("alice", "service-owner", null),
                                new EvidencePredicate.Approver("bob", "security-officer", null))),
                rejected ? null : new EvidencePredicate.BeforeState("9c1e5a0",
                        List.of(new EvidencePredicate.FileDigest("pom.xml", pom),
                                new EvidencePredicate.FileDigest(SECRET_PATH, "ab".repeat(32)))),
                rejected ? null : new EvidencePredicate.ChangeRecord("cd".repeat(32),
                        List.of(new EvidencePredicate.FileDigest(SECRET_PATH, "ef".repeat(32)))),
                rejected ? List.of() : List.of(new EvidencePredicate.ValidationResult("build",
                        List.of("mvn", "-q", "-o", "verify"), "ROLLED_BACK".equals(outcome) ? 1 : 0, false, 4200,
                        SECRET_STDOUT, SECRET_STDERR, "11".repeat(32), "22".repeat(32), true,
                        (long) SECRET_STDOUT.length(), (long) SECRET_STDERR.length())),
                rejected ? null : new EvidencePredicate.RollbackRecord(true, true, true), null, start,
                start.plus(Duration.ofSeconds(42)));
    }

    /** A bundle as a runner (or, for REJECTED, the gateway) signs it. */
    public static byte[] bundle(String capsuleId, String env, String outcome) {
        String producer = "REJECTED".equals(outcome) ? "gateway.enclave-1" : "runner.edge-7";
        return bundle(capsuleId, env, outcome, producer, PKI.of(producer));
    }

    public static byte[] bundle(String capsuleId, String env, String outcome, String producer, SigningKey key) {
        return EvidenceBundles.sign(Statement.of(capsuleDigest(capsuleId), predicate(capsuleId, env, outcome, producer)),
                key).toJson();
    }
}
