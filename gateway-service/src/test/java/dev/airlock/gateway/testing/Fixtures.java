package dev.airlock.gateway.testing;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.TestPki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Signed documents for the gateway's tests, built on capsule-core's {@link TestPki} (deterministic keys): policies
 * and capsules around any base instant (the fixed test clock, or the wall clock for the packaged gateway in ITs),
 * unique capsule ids and lineages per test, and diode heartbeats signed by the bridge principal.
 */
public final class Fixtures {
    public static final String GATEWAY = "gateway.enclave-1";
    public static final TestPki PKI = new TestPki();

    private final Instant base;

    public Fixtures(Instant base) {
        this.base = base;
    }

    public static Fixtures atTestClock() {
        return new Fixtures(TestPki.NOW);
    }

    public Instant base() {
        return base;
    }

    /** The standard policy of {@code version}, issued a day before the base instant, valid 90 days. */
    public Policy policy(long version) {
        return policy(version, p -> p);
    }

    public Policy policy(long version, java.util.function.UnaryOperator<Policy> tweak) {
        Policy p = PKI.policy(version);
        return tweak.apply(new Policy(p.schema(), p.version(), base.minus(Duration.ofDays(1)),
                base.plus(Duration.ofDays(90)), p.root(), p.principals(), p.tiers(), p.environments()));
    }

    public static Policy withTimes(Policy p, Instant issuedAt, Instant expiresAt) {
        return new Policy(p.schema(), p.version(), issuedAt, expiresAt, p.root(), p.principals(), p.tiers(),
                p.environments());
    }

    public static Policy withRoot(Policy p, Policy.Root root) {
        return new Policy(p.schema(), p.version(), p.issuedAt(), p.expiresAt(), root, p.principals(), p.tiers(),
                p.environments());
    }

    public static byte[] sign(Policy p, SigningKey... roots) {
        return PKI.signPolicy(p, roots);
    }

    /** Policy v1 signed by roots 1 and 2 (trusted on install). */
    public byte[] policyV1() {
        return sign(policy(1), PKI.root(1), PKI.root(2));
    }

    /** A fresh capsule spec: unique id and lineage, sequence 1, timed around the base instant. */
    public TestPki.CapsuleSpec spec() {
        TestPki.CapsuleSpec s = new TestPki.CapsuleSpec();
        s.capsuleId = UUID.randomUUID().toString();
        s.lineage = "payments-api:" + s.capsuleId;
        s.sequence = 1;
        s.createdAt = base.minus(Duration.ofMinutes(10));
        s.expiresAt = base.plus(Duration.ofDays(7));
        return s;
    }

    public Capsule capsule(Consumer<TestPki.CapsuleSpec> tweak) {
        TestPki.CapsuleSpec s = spec();
        tweak.accept(s);
        return s.build();
    }

    /** A T2 capsule approved by alice (service-owner) and bob (security-officer): admissible in prod-enclave-1. */
    public byte[] admissible(Consumer<TestPki.CapsuleSpec> tweak) {
        Envelope c = PKI.signCapsule(capsule(tweak));
        return TestPki.bundle(c, PKI.approve(c, "alice", "service-owner"), PKI.approve(c, "bob", "security-officer"));
    }

    public byte[] admissible() {
        return admissible(s -> { });
    }

    /** The record the diode receiver writes to {@code airlock.diode.health.v1} for a heartbeat sent at {@code sentAt}. */
    public static byte[] heartbeat(Instant sentAt, SigningKey signer, String bridge) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("schema", "airlock.diode-heartbeat/v1");
        payload.put("bridge", bridge);
        payload.put("stream", "capsules");
        payload.put("lastSequence", 7);
        payload.put("sentAt", StrictJson.formatInstant(sentAt));
        Envelope env = Dsse.sign(PayloadTypes.DIODE_HEARTBEAT, StrictJson.write(payload), signer);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("schema", "airlock.diode.heartbeat/v1");
        record.put("stream", "capsules");
        record.put("receivedAt", StrictJson.formatInstant(sentAt));
        record.put("envelope", StrictJson.mapper().valueToTree(env));
        return StrictJson.write(record);
    }

    public static byte[] heartbeat(Instant sentAt) {
        return heartbeat(sentAt, PKI.of("bridge.diode-1"), "bridge.diode-1");
    }

    /** Writes the gateway key ({@code gateway.enclave-1.key.pem}) and {@code policy-v1.dsse.json} into {@code dir}. */
    public Path writeConfigFiles(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyFiles.write(dir, GATEWAY, PKI.of(GATEWAY));
            Files.write(dir.resolve("policy-v1.dsse.json"), policyV1());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path keyFile(Path dir) {
        return KeyFiles.privateKeyPath(dir, GATEWAY);
    }
}
