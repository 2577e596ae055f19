package dev.airlock.bench.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code airlock capsule verify} cost for a 10 KB capsule with 3 approvals (issue «Foundation» must-show), next to its
 * same-run lower bound: SHA-256 of the capsule payload + 4 Ed25519 verifies (capsule + 3 approvals) + one Jackson parse
 * of the signed capsule — the work no correct verifier can skip — and the raw BouncyCastle Ed25519 verify rate.
 */
@State(Scope.Benchmark)
public class VerifyBenchmark {
    /** Target size of the capsule payload in bytes. */
    static final int CAPSULE_BYTES = 10 * 1024;

    byte[] signedCapsule;
    TrustedPolicy policy;
    VerificationEngine engine;

    byte[] capsulePayload;
    List<byte[]> paes = new ArrayList<>();
    List<byte[]> sigs = new ArrayList<>();
    List<PublicKeyHandle> keys = new ArrayList<>();

    byte[] rawMessage;
    byte[] rawSig;
    Ed25519PublicKeyParameters rawKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TestPki pki = new TestPki();
        policy = pki.trusted();
        engine = new VerificationEngine(TestPki.clock());
        Capsule capsule = capsuleOfAbout(pki, CAPSULE_BYTES);
        Envelope c = pki.signCapsule(capsule);
        Envelope a = pki.approve(c, "alice", "service-owner");
        Envelope b = pki.approve(c, "bob", "security-officer");
        Envelope d = pki.approve(c, "carol", "authorizing-official");
        signedCapsule = TestPki.bundle(c, a, b, d);
        Verdict v = engine.verify(signedCapsule, TestPki.PROD, policy, new InMemoryLedger());
        if (!v.isAdmitted()) {
            throw new IllegalStateException("benchmark capsule is not admissible: " + v.toJson());
        }
        capsulePayload = c.payloadBytes();
        for (Envelope e : List.of(c, a, b, d)) {
            paes.add(Dsse.pae(e.payloadType(), e.payloadBytes()));
            sigs.add(Base64.getDecoder().decode(e.signatures().get(0).sig()));
        }
        keys.add(pki.of("fleet.dependency-bump").publicKey());
        keys.add(pki.of("alice").publicKey());
        keys.add(pki.of("bob").publicKey());
        keys.add(pki.of("carol").publicKey());
        rawMessage = paes.get(1);
        rawSig = sigs.get(1);
        byte[] spki = keys.get(1).spki();
        rawKey = new Ed25519PublicKeyParameters(spki, spki.length - 32);
    }

    /** A T3 capsule whose payload is about {@code bytes} long: the pom.xml bump plus added context lines. */
    static Capsule capsuleOfAbout(TestPki pki, int bytes) {
        StringBuilder before = new StringBuilder("<project>\n  <dependency>\n    <artifactId>log4j-core</artifactId>\n"
                + "    <version>2.14.1</version>\n  </dependency>\n");
        Capsule probe = pki.capsule(s -> s.with(x -> x.tier = "T3"));
        int base = StrictJson.write(probe).length;
        int line = 0;
        StringBuilder filler = new StringBuilder();
        while (base + 2 * filler.length() < bytes) {
            filler.append("  <!-- padding line ").append(line++).append(" keeps the capsule near 10 KB -->\n");
        }
        String beforeText = before + filler.toString() + "</project>\n";
        String afterText = beforeText.replace("2.14.1", "2.17.1");
        StringBuilder patch = new StringBuilder("--- a/pom.xml\n+++ b/pom.xml\n");
        String[] lines = beforeText.split("\n", -1);
        int n = lines.length - 1;
        patch.append("@@ -1,").append(n).append(" +1,").append(n).append(" @@\n");
        for (int i = 0; i < n; i++) {
            if (lines[i].contains("2.14.1")) {
                patch.append('-').append(lines[i]).append('\n');
                patch.append('+').append(lines[i].replace("2.14.1", "2.17.1")).append('\n');
            } else {
                patch.append(' ').append(lines[i]).append('\n');
            }
        }
        String finalPatch = patch.toString();
        return pki.capsule(s -> s.with(x -> {
            x.tier = "T3";
            x.patch = finalPatch;
            x.files = List.of(new Capsule.FileChange("pom.xml",
                    Hex.digest(beforeText.getBytes(StandardCharsets.UTF_8)),
                    Hex.digest(afterText.getBytes(StandardCharsets.UTF_8))));
        }));
    }

    /** The engine, as the gateway and {@code airlock capsule verify} run it. */
    @Benchmark
    public Verdict engine() {
        return engine.verify(signedCapsule, TestPki.PROD, policy, new InMemoryLedger());
    }

    /** The lower bound: digest + 4 verifies + one parse. */
    @Benchmark
    public Object bound() throws Exception {
        byte[] digest = Hex.sha256(capsulePayload);
        boolean ok = true;
        for (int i = 0; i < 4; i++) {
            ok &= keys.get(i).verify(paes.get(i), sigs.get(i));
        }
        JsonNode tree = StrictJson.mapper().readTree(signedCapsule);
        if (!ok) {
            throw new IllegalStateException("bound: a signature failed");
        }
        return new Object[] {digest, tree};
    }

    /** One raw BouncyCastle Ed25519 verify (no pre-checks, no key caching beyond BC's own). */
    @Benchmark
    public boolean rawEd25519Verify() {
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, rawKey);
        v.update(rawMessage, 0, rawMessage.length);
        return v.verifySignature(rawSig);
    }
}
