package dev.airlock.diode.testing;

import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.trust.PemHeartbeatSigner;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Signed capsules and policies of chosen sizes, signed for real with throw-away Ed25519 keys. */
public final class Fixtures {
    public static final String CAPSULE_TYPE = "application/vnd.airlock.capsule.v1+json";
    public static final String APPROVAL_TYPE = "application/vnd.airlock.approval.v1+json";
    public static final String POLICY_TYPE = "application/vnd.airlock.policy.v1+json";

    private final PemHeartbeatSigner proposer;
    private final PemHeartbeatSigner approver;

    public Fixtures() {
        this.proposer = new PemHeartbeatSigner("fleet.dependency-bump", newKeyPem());
        this.approver = new PemHeartbeatSigner("alice", newKeyPem());
    }

    /** A fresh Ed25519 private key as PKCS#8 PEM. */
    public static String newKeyPem() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(kp.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        byte[] capsuleEnv = proposer.sign(CAPSULE_TYPE, StrictJson.write(capsule));
        Map<String, Object> approval = new LinkedHashMap<>();
        approval.put("schema", "airlock.approval/v1");
        approval.put("capsuleId", id);
        approval.put("approver", "alice");
        approval.put("decision", "approve");
        byte[] approvalEnv = approver.sign(APPROVAL_TYPE, StrictJson.write(approval));
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
        return approver.sign(POLICY_TYPE, StrictJson.write(policy));
    }
}
