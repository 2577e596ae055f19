package dev.airlock.diode.testing;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.PayloadTypes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Signed capsules and policies of chosen sizes, signed for real with throw-away Ed25519 keys. */
public final class Fixtures {
    private final SigningKey proposer = SigningKey.generate(KeyAlgorithm.ED25519);
    private final SigningKey approver = SigningKey.generate(KeyAlgorithm.ED25519);

    /** A fresh Ed25519 private key as PKCS#8 PEM. */
    public static String newKeyPem() {
        return SigningKey.generate(KeyAlgorithm.ED25519).toPem();
    }

    /**
     * A signed capsule (ARCHITECTURE §3.4) of about {@code approxBytes} bytes, its size made by the patch text.
     * Content depends on {@code id} and {@code seed} only, so a test can recompute what it expects.
     */
    public byte[] signedCapsule(String id, int approxBytes, long seed) {
        return signedCapsuleWithFiller(id, Math.max(0, approxBytes * 3 / 4 - 900), seed);
    }

    /** A signed capsule of at most {@code maxBytes} bytes and less than 8 bytes below it. */
    public byte[] signedCapsuleUpTo(String id, int maxBytes, long seed) {
        int filler = Math.max(0, maxBytes * 3 / 4 - 900);
        byte[] v = signedCapsuleWithFiller(id, filler, seed);
        for (int i = 0; i < 20 && (v.length > maxBytes || maxBytes - v.length >= 8); i++) {
            filler += (int) Math.floor((maxBytes - v.length) * 3.0 / 4.0) - (v.length > maxBytes ? 3 : 0);
            v = signedCapsuleWithFiller(id, Math.max(0, filler), seed);
        }
        return v;
    }

    private byte[] signedCapsuleWithFiller(String id, int filler, long seed) {
        Random r = new Random(seed);
        StringBuilder patch = new StringBuilder(filler);
        for (int i = 0; i < filler; i++) {
            patch.append((char) ('a' + r.nextInt(26)));
        }
        Map<String, Object> capsule = new LinkedHashMap<>();
        capsule.put("schema", "airlock.capsule/v1");
        capsule.put("capsuleId", id);
        capsule.put("lineage", "payments-api:CVE-2021-44228");
        capsule.put("sequence", 1);
        capsule.put("environment", "prod-enclave-1");
        capsule.put("change", Map.of("format", "unified-diff", "patch", patch.toString()));
        byte[] capsuleEnv = Dsse.sign(PayloadTypes.CAPSULE, StrictJson.write(capsule), proposer).toJson();
        Map<String, Object> approval = new LinkedHashMap<>();
        approval.put("schema", "airlock.approval/v1");
        approval.put("capsuleId", id);
        approval.put("approver", "alice");
        approval.put("decision", "approve");
        byte[] approvalEnv = Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(approval), approver).toJson();
        try {
            Map<String, Object> signed = new LinkedHashMap<>();
            signed.put("schema", "airlock.signed-capsule/v1");
            signed.put("capsule", StrictJson.mapper().readTree(capsuleEnv));
            signed.put("approvals", List.of(StrictJson.mapper().readTree(approvalEnv)));
            return StrictJson.write(signed);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] signedPolicy(int version) {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("schema", "airlock.policy/v1");
        policy.put("version", version);
        return Dsse.sign(PayloadTypes.POLICY, StrictJson.write(policy), approver).toJson();
    }
}
