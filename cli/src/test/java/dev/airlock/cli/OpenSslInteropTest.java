package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.airlock.cli.Flow.assertVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Independent verification (must-show of issue «Foundation»): the envelopes the CLI writes verify under
 * {@code openssl} over a PAE computed here from the DSSE spec, and the CLI accepts envelopes whose signatures
 * {@code openssl} made with keys {@code openssl} generated. Ed25519 and ECDSA P-256 both ways.
 */
class OpenSslInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void thePaeHereIsTheSpecs() {
        // The example of secure-systems-lab/dsse protocol.md.
        assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
                new String(OpenSsl.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8));
        // Lengths are byte counts: "é" is two bytes.
        assertEquals("DSSEv1 1 t 2 é", new String(OpenSsl.pae("t", "é".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
    }

    @Test
    void envelopesTheCliWritesVerifyUnderOpenssl() throws IOException {
        Flow flow = new Flow(tmp);
        Map<String, String> alg = new LinkedHashMap<>();
        for (String id : List.of("root-1", "root-3", Flow.PROPOSER, "bob", "runner.edge-7")) {
            alg.put(id, "ed25519");
        }
        alg.put("root-2", "p256");
        alg.put("alice", "p256");
        Map<String, String> keyids = new LinkedHashMap<>();
        alg.forEach((id, a) -> keyids.put(id, flow.generate(id, a).json().get("keyid").asText()));

        Path policy = flow.signPolicy(flow.policy(1, 2, "root-1", "root-2", "root-3"), "policy", "root-1", "root-2");
        Path byFleet = flow.capsule();
        Path byAlice = flow.capsule("alice-capsule", "alice", s -> s.with(x -> {
            x.proposer = "alice";
            x.capsuleId = "alice-proposes-1";
        }));
        Path aliceApproves = flow.approve(byFleet, "alice", "service-owner");
        Path bobApproves = flow.approve(byFleet, "bob", "security-officer");

        // Every command, both algorithms: policy sign (Ed25519 + P-256 roots), capsule sign (Ed25519 fleet, P-256 alice),
        // capsule approve (P-256 alice, Ed25519 bob).
        assertEquals(Set.of("root-1", "root-2"), Set.copyOf(verifyAll(flow, policy, "application/vnd.airlock.policy.v1+json", alg, keyids)));
        assertEquals(List.of(Flow.PROPOSER), verifyAll(flow, byFleet, "application/vnd.airlock.capsule.v1+json", alg, keyids));
        assertEquals(List.of("alice"), verifyAll(flow, byAlice, "application/vnd.airlock.capsule.v1+json", alg, keyids));
        assertEquals(List.of("alice"), verifyAll(flow, aliceApproves, "application/vnd.airlock.approval.v1+json", alg, keyids));
        assertEquals(List.of("bob"), verifyAll(flow, bobApproves, "application/vnd.airlock.approval.v1+json", alg, keyids));

        // And the CLI itself admits what it wrote (P-256 approval counted).
        Path signed = flow.bundle(byFleet, "signed.json", aliceApproves, bobApproves);
        assertVerdict(flow.verify(policy, signed), 0, "admitted", null);
    }

    /**
     * Checks each signature of an envelope file with openssl over the PAE built here; returns whose keys signed.
     * Also shows the check can fail: one flipped payload byte and openssl refuses.
     */
    private List<String> verifyAll(Flow flow, Path envelope, String type, Map<String, String> alg,
                                   Map<String, String> keyids) throws IOException {
        JsonNode env = JSON.readTree(Files.readAllBytes(envelope));
        assertEquals(type, env.get("payloadType").asText());
        byte[] payload = Base64.getDecoder().decode(env.get("payload").asText());
        byte[] pae = OpenSsl.pae(type, payload);
        byte[] tampered = pae.clone();
        tampered[tampered.length - 2] ^= 0x01;
        List<String> signers = new ArrayList<>();
        for (JsonNode sig : env.get("signatures")) {
            String id = keyids.entrySet().stream().filter(e -> e.getValue().equals(sig.get("keyid").asText()))
                    .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("unknown keyid " + sig));
            // The keyid is the SHA-256 of the DER public key as openssl encodes it.
            OpenSsl.ok(tmp, "pkey", "-pubin", "-in", flow.pub(id).toString(), "-outform", "DER", "-out", "pub.der");
            assertEquals(OpenSsl.sha256Hex(Files.readAllBytes(tmp.resolve("pub.der"))), sig.get("keyid").asText());

            Files.write(tmp.resolve("sig.bin"), Base64.getDecoder().decode(sig.get("sig").asText()));
            Files.write(tmp.resolve("pae.bin"), pae);
            Files.write(tmp.resolve("tampered.bin"), tampered);
            String[] good = verifyCommand(alg.get(id), flow.pub(id), "pae.bin");
            OpenSsl.Result r = OpenSsl.run(tmp, good);
            assertEquals(0, r.exit(), () -> "openssl refused the " + alg.get(id) + " signature of " + id + " on "
                    + envelope + ":\n" + r.out());
            assertTrue(r.out().contains("Verified"), r::out);
            assertNotEquals(0, OpenSsl.run(tmp, verifyCommand(alg.get(id), flow.pub(id), "tampered.bin")).exit(),
                    "openssl must refuse a tampered PAE");
            signers.add(id);
        }
        return signers;
    }

    private static String[] verifyCommand(String alg, Path pub, String data) {
        return alg.equals("ed25519")
                ? new String[] {"pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", data,
                        "-sigfile", "sig.bin"}
                : new String[] {"dgst", "-sha256", "-verify", pub.toString(), "-signature", "sig.bin", data};
    }

    @Test
    void theCliAcceptsEnvelopesSignedByOpenssl() throws IOException {
        Flow flow = new Flow(tmp);
        Files.createDirectories(flow.keys());
        for (String id : List.of("root-1", "root-2", "root-3", Flow.PROPOSER, "bob", "runner.edge-7")) {
            OpenSsl.ok(tmp, "genpkey", "-algorithm", "ed25519", "-out", flow.key(id).toString());
        }
        OpenSsl.ok(tmp, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                flow.key("alice").toString());
        for (String id : List.of("root-1", "root-2", "root-3", Flow.PROPOSER, "bob", "runner.edge-7", "alice")) {
            OpenSsl.ok(tmp, "pkey", "-in", flow.key(id).toString(), "-pubout", "-out", flow.pub(id).toString());
        }

        byte[] policyJson = StrictJson.writePretty(flow.policy(1, 2, "root-1", "root-2", "root-3"));
        Path policy = flow.write("policy.dsse.json", envelope("application/vnd.airlock.policy.v1+json", policyJson,
                flow, "root-1", "root-3"));

        byte[] capsuleJson = StrictJson.writePretty(new TestPki().capsule());
        String capsuleType = "application/vnd.airlock.capsule.v1+json";
        Map<String, Object> capsuleEnv = envelopeMap(capsuleType, capsuleJson, flow, Flow.PROPOSER);
        String digest = "sha256:" + OpenSsl.sha256Hex(capsuleJson);
        Map<String, Object> alice = envelopeMap("application/vnd.airlock.approval.v1+json",
                approval(digest, "alice", "service-owner"), flow, "alice");
        Map<String, Object> bob = envelopeMap("application/vnd.airlock.approval.v1+json",
                approval(digest, "bob", "security-officer"), flow, "bob");
        Path signed = flow.write("signed.json", signedCapsule(capsuleEnv, alice, bob));

        Cli.Run admitted = flow.verify(policy, signed);
        assertVerdict(admitted, 0, "admitted", null);
        assertEquals(List.of("alice", "bob"), admitted.json().get("approvers").findValuesAsText("approver"));

        // Evidence signed by the runner's openssl key, about this capsule.
        String statement = """
                {"_type":"https://in-toto.io/Statement/v1",
                 "subject":[{"name":"capsule:0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01","digest":{"sha256":"%s"}}],
                 "predicateType":"https://airlock.dev/evidence/v1",
                 "predicate":{"capsuleId":"0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01","environment":"prod-enclave-1",
                   "runner":{"id":"runner.edge-7","version":"0.1.0"},"outcome":"APPLIED",
                   "admission":{"verdict":"admitted","policyVersion":1,"approvers":[{"id":"alice","role":"service-owner"}]},
                   "startedAt":"2026-11-25T10:00:00Z","finishedAt":"2026-11-25T10:00:42Z"}}
                """.formatted(digest.substring("sha256:".length()));
        Path bundle = flow.write("bundle.dsse.json", envelope("application/vnd.in-toto+json",
                statement.getBytes(StandardCharsets.UTF_8), flow, "runner.edge-7"));
        Cli.Run evidence = Cli.run("evidence", "verify", "--bundle", bundle.toString(), "--policy", policy.toString(),
                "--capsule", signed.toString()).assertExit(0).assertNoStackTrace();
        assertEquals("verified", evidence.verdict());
        assertEquals("runner.edge-7", evidence.json().get("signer").asText());

        // openssl's ECDSA does not normalise S; Airlock requires low-S (one encoding per signature). The same approval
        // with S replaced by n - S (equally valid for a lax verifier) is refused and cannot count.
        Map<String, Object> highS = new LinkedHashMap<>(alice);
        @SuppressWarnings("unchecked")
        Map<String, String> sig = new LinkedHashMap<>(((List<Map<String, String>>) alice.get("signatures")).get(0));
        BigInteger[] rs = OpenSsl.decodeEcdsa(Base64.getDecoder().decode(sig.get("sig")));
        sig.put("sig", Base64.getEncoder().encodeToString(OpenSsl.encodeEcdsa(rs[0], OpenSsl.P256_N.subtract(rs[1]))));
        highS.put("signatures", List.of(sig));
        Cli.Run refused = flow.verify(policy, flow.write("high-s.json", signedCapsule(capsuleEnv, highS, bob)));
        assertVerdict(refused, 3, "rejected", "THRESHOLD_NOT_MET");
        assertTrue(refused.json().get("detail").asText().contains("approval #0: signature does not verify"), refused::toString);

        // The CLI signs with openssl-generated keys too (PKCS#8 from genpkey), and openssl verifies the result.
        Path capsuleFile = flow.write("capsule.dsse.json", JSON.writeValueAsBytes(capsuleEnv));
        Path cliApproval = flow.approve(capsuleFile, "alice", "service-owner", "--policy", policy.toString());
        JsonNode a = JSON.readTree(Files.readAllBytes(cliApproval));
        Files.write(tmp.resolve("pae.bin"), OpenSsl.pae(a.get("payloadType").asText(),
                Base64.getDecoder().decode(a.get("payload").asText())));
        Files.write(tmp.resolve("sig.bin"), Base64.getDecoder().decode(a.get("signatures").get(0).get("sig").asText()));
        OpenSsl.ok(tmp, "dgst", "-sha256", "-verify", flow.pub("alice").toString(), "-signature", "sig.bin", "pae.bin");
    }

    private static byte[] approval(String digest, String approver, String role) {
        return """
                {"schema":"airlock.approval/v1","capsuleDigest":"%s","capsuleId":"0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01",
                 "approver":"%s","role":"%s","decision":"approve","ticket":"CHG0012345",
                 "decidedAt":"2026-11-25T09:55:00Z","basis":"review"}
                """.formatted(digest, approver, role).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] envelope(String type, byte[] payload, Flow flow, String... signers) throws IOException {
        return JSON.writeValueAsBytes(envelopeMap(type, payload, flow, signers));
    }

    private byte[] signedCapsule(Map<String, Object> capsule, Map<?, ?>... approvals) throws IOException {
        Map<String, Object> sc = new LinkedHashMap<>();
        sc.put("schema", "airlock.signed-capsule/v1");
        sc.put("capsule", capsule);
        sc.put("approvals", List.of(approvals));
        return JSON.writeValueAsBytes(sc);
    }

    /** A DSSE envelope assembled here, each signature made by openssl over the PAE. */
    private Map<String, Object> envelopeMap(String type, byte[] payload, Flow flow, String... signers) throws IOException {
        Files.write(tmp.resolve("pae.bin"), OpenSsl.pae(type, payload));
        List<Map<String, String>> sigs = new ArrayList<>();
        for (String id : signers) {
            Path key = flow.key(id);
            byte[] sig = isEc(key) ? lowS(key) : ed25519(key);
            sigs.add(Map.of("keyid", Flow.keyid(Files.readString(flow.pub(id))), "sig",
                    Base64.getEncoder().encodeToString(sig)));
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("payloadType", type);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        env.put("signatures", sigs);
        return env;
    }

    private boolean isEc(Path key) {
        return OpenSsl.run(tmp, "pkey", "-in", key.toString(), "-noout", "-text").out().contains("NIST CURVE: P-256");
    }

    private byte[] ed25519(Path key) throws IOException {
        OpenSsl.ok(tmp, "pkeyutl", "-sign", "-rawin", "-inkey", key.toString(), "-in", "pae.bin", "-out", "sig.bin");
        return Files.readAllBytes(tmp.resolve("sig.bin"));
    }

    /**
     * openssl signs ECDSA with a random nonce and leaves S as it comes; half its signatures are high-S, which Airlock
     * refuses. Signing again until S ≤ n/2 keeps the signature openssl's own (no bit of it is changed here).
     */
    private byte[] lowS(Path key) throws IOException {
        for (int attempt = 0; attempt < 64; attempt++) {
            OpenSsl.ok(tmp, "dgst", "-sha256", "-sign", key.toString(), "-out", "sig.der", "pae.bin");
            byte[] der = Files.readAllBytes(tmp.resolve("sig.der"));
            if (OpenSsl.decodeEcdsa(der)[1].compareTo(OpenSsl.P256_N.shiftRight(1)) <= 0) {
                return der;
            }
        }
        throw new AssertionError("64 high-S signatures in a row");
    }
}
