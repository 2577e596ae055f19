package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.airlock.cli.Flow.assertVerdict;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** keys generate, policy sign, capsule sign/approve/bundle: what gets written and what gets refused. */
class KeysAndDocumentsTest {
    @TempDir
    Path tmp;
    Flow flow;

    @BeforeEach
    void setUp() {
        flow = new Flow(tmp);
    }

    @Test
    void aGeneratedPrivateKeyIsMode0600AndNeverOverwritten() throws Exception {
        for (String alg : List.of("ed25519", "p256")) {
            String id = "k-" + alg;
            Cli.Run r = flow.generate(id, alg).assertNoStackTrace();
            JsonNode out = r.json();
            assertEquals(alg, out.get("algorithm").asText());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(flow.key(id))));
            assertTrue(Files.readString(flow.key(id)).startsWith("-----BEGIN PRIVATE KEY-----"));
            // keyid = SHA-256 of the DER SubjectPublicKeyInfo, recomputed here from the PEM alone.
            String pem = Files.readString(flow.pub(id));
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)),
                    out.get("keyid").asText());
            assertEquals(flow.key(id).toString(), out.get("privateKey").asText());

            byte[] before = Files.readAllBytes(flow.key(id));
            Cli.Run again = Cli.run("keys", "generate", "--id", id, "--out", flow.keys().toString(), "--alg", alg);
            again.assertExit(2).assertNoStackTrace();
            assertTrue(again.err().contains("refusing to overwrite"), again::toString);
            assertEquals("", again.out());
            assertArrayEquals(before, Files.readAllBytes(flow.key(id)));
        }
    }

    @Test
    void keyIdsAndAlgorithmsAreChecked() {
        Cli.Run traversal = Cli.run("keys", "generate", "--id", "../evil", "--out", flow.keys().toString());
        traversal.assertExit(2).assertNoStackTrace();
        assertTrue(traversal.err().contains("--id '../evil'"), traversal::toString);
        assertFalse(Files.exists(tmp.resolve("evil.key.pem")));

        Cli.Run rsa = Cli.run("keys", "generate", "--id", "x", "--out", flow.keys().toString(), "--alg", "rsa");
        rsa.assertExit(2).assertNoStackTrace();
        assertTrue(rsa.err().contains("expected ed25519 or p256"), rsa::toString);
    }

    @Test
    void aPolicySignedByTooFewRootsIsWrittenWithAWarningAndCanBeCountersigned() {
        flow.standardKeys();
        Path in = flow.write("policy.json", flow.policy(1, 2, "root-1", "root-2", "root-3"));
        Path out = flow.file("policy.dsse.json");

        Cli.Run one = Cli.run("policy", "sign", "--in", in.toString(), "--key", flow.key("root-1").toString(),
                "--out", out.toString()).assertExit(0).assertNoStackTrace();
        assertFalse(one.json().get("trustedOnInstall").asBoolean(), one::toString);
        assertEquals(1, one.json().get("rootSignatures").asInt());
        assertTrue(one.err().contains("warning: 1 of this policy's root keys signed it; its root threshold is 2"), one::toString);
        assertTrue(one.err().contains("POLICY_INVALID"), one::toString);

        Path signed = flow.admissible();
        assertVerdict(flow.verify(out, signed), 3, "rejected", "POLICY_INVALID");

        Cli.Run counter = Cli.run("policy", "sign", "--add-to", out.toString(), "--key", flow.key("root-1").toString(),
                "--key", flow.key("root-2").toString(), "--out", out.toString()).assertExit(0).assertNoStackTrace();
        assertTrue(counter.json().get("trustedOnInstall").asBoolean(), counter::toString);
        assertEquals(2, counter.json().get("signatures").asInt(), "root-1 is not added twice");
        assertTrue(counter.err().contains("already signed this policy; skipped"), counter::toString);
        assertVerdict(flow.verify(out, signed), 0, "admitted", null);
    }

    @Test
    void aKeyOutsideTheRootIsNamed() {
        flow.standardKeys();
        Path in = flow.write("policy.json", flow.policy(1, 2, "root-1", "root-2", "root-3"));
        Cli.Run r = Cli.run("policy", "sign", "--in", in.toString(), "--key", flow.key("root-1").toString(),
                "--key", flow.key("alice").toString(), "--out", flow.file("p.dsse.json").toString()).assertExit(0);
        assertTrue(r.err().contains("alice.key.pem") && r.err().contains("is not a root key of this policy"), r::toString);
        assertEquals(1, r.json().get("rootSignatures").asInt());
    }

    @Test
    void aRotationIsCheckedAgainstThePreviousVersion() {
        flow.standardKeys().keys("root-4");
        Path v1 = flow.standardPolicy();
        Path in = flow.write("v2.json", flow.policy(2, 2, "root-2", "root-3", "root-4"));

        // Only the new root: fine on install, but an enclave holding v1 will refuse it.
        Cli.Run newOnly = Cli.run("policy", "sign", "--in", in.toString(), "--key", flow.key("root-3").toString(),
                "--key", flow.key("root-4").toString(), "--previous", v1.toString(),
                "--out", flow.file("v2.dsse.json").toString()).assertExit(0).assertNoStackTrace();
        assertTrue(newOnly.json().get("trustedOnInstall").asBoolean());
        assertFalse(newOnly.json().get("acceptedAsNextVersion").asBoolean(), newOnly::toString);
        assertTrue(newOnly.err().contains("a rotation is signed by old and new root keys"), newOnly::toString);

        // Old and new: accepted as the next version.
        Cli.Run both = Cli.run("policy", "sign", "--add-to", flow.file("v2.dsse.json").toString(),
                "--key", flow.key("root-2").toString(), "--previous", v1.toString(),
                "--out", flow.file("v2.dsse.json").toString()).assertExit(0).assertNoStackTrace();
        assertTrue(both.json().get("acceptedAsNextVersion").asBoolean(), both::toString);
        assertEquals(2, both.json().get("previousRootSignatures").asInt());

        // Same version as the previous one: refused before anything is written.
        Cli.Run same = Cli.run("policy", "sign", "--in", flow.file("policy.json").toString(), "--key",
                flow.key("root-1").toString(), "--key", flow.key("root-2").toString(), "--previous", v1.toString(),
                "--out", flow.file("again.dsse.json").toString()).assertExit(2).assertNoStackTrace();
        assertTrue(same.err().contains("POLICY_ROLLBACK"), same::toString);
        assertFalse(Files.exists(flow.file("again.dsse.json")));
    }

    @Test
    void aPolicyThatVerifiersWouldRefuseIsNotSigned() throws IOException {
        flow.standardKeys();
        Policy good = flow.policy(1, 2, "root-1", "root-2", "root-3");

        // A tier requiring a role no principal holds.
        Map<String, Policy.Tier> tiers = new java.util.LinkedHashMap<>(good.tiers());
        tiers.put("T3", new Policy.Tier("approvals", 1, List.of("authorizing-official"), null, null));
        Policy badTier = new Policy(good.schema(), 1, good.issuedAt(), good.expiresAt(), good.root(), good.principals(),
                tiers, good.environments());
        assertRefused(flow.write("bad-tier.json", badTier), "POLICY_INVALID", "authorizing-official");

        // A root threshold above the number of root keys.
        Policy badThreshold = new Policy(good.schema(), 1, good.issuedAt(), good.expiresAt(),
                new Policy.Root(4, good.root().keys()), good.principals(), good.tiers(), good.environments());
        assertRefused(flow.write("bad-threshold.json", badThreshold), "POLICY_INVALID", "threshold 4");

        // A keyid that is not the key's.
        Policy.KeyRef wrong = new Policy.KeyRef("00".repeat(32), good.root().keys().get(0).publicKeyPem());
        Policy badKeyid = new Policy(good.schema(), 1, good.issuedAt(), good.expiresAt(),
                new Policy.Root(2, List.of(wrong, good.root().keys().get(1), good.root().keys().get(2))),
                good.principals(), good.tiers(), good.environments());
        assertRefused(flow.write("bad-keyid.json", badKeyid), "POLICY_INVALID", "keyid");

        // Duplicate keys, an unknown field: strict JSON.
        String json = new String(StrictJson.writePretty(good), StandardCharsets.UTF_8);
        assertRefused(flow.write("dup.json", json.replaceFirst("\"version\" : 1", "\"version\" : 1, \"version\" : 2")
                .getBytes(StandardCharsets.UTF_8)), "MALFORMED", "version");
        assertRefused(flow.write("unknown.json", json.replaceFirst("\\{", "{ \"comment\": \"x\",")
                .getBytes(StandardCharsets.UTF_8)), "MALFORMED", "comment");
    }

    private void assertRefused(Path in, String code, String mention) {
        Path out = flow.file(in.getFileName() + ".dsse.json");
        Cli.Run r = Cli.run("policy", "sign", "--in", in.toString(), "--key", flow.key("root-1").toString(),
                "--key", flow.key("root-2").toString(), "--out", out.toString());
        r.assertExit(2).assertNoStackTrace();
        assertTrue(r.err().contains(code) && r.err().contains(mention), r::toString);
        assertEquals("", r.out());
        assertFalse(Files.exists(out), "nothing is written for " + in);
    }

    @Test
    void aCapsuleThatIsNotTheSchemaIsNotSigned() throws IOException {
        flow.standardKeys();
        String json = new String(StrictJson.writePretty(new TestPki().capsule()), StandardCharsets.UTF_8);
        Path dup = flow.write("dup.json", json.replaceFirst("\"mode\" : \"apply\"",
                "\"mode\" : \"observe\", \"mode\" : \"apply\"").getBytes(StandardCharsets.UTF_8));

        Cli.Run r = Cli.run("capsule", "sign", "--in", dup.toString(), "--key", flow.key(Flow.PROPOSER).toString(),
                "--out", flow.file("c.dsse.json").toString());

        r.assertExit(2).assertNoStackTrace();
        assertTrue(r.err().contains("capsule '" + dup + "' is not valid: MALFORMED:"), r::toString);
        assertTrue(r.err().contains("mode"), r::toString);
        assertFalse(Files.exists(flow.file("c.dsse.json")));

        Path badTier = flow.write("tier.json", json.replace("\"T2\"", "\"T12\"").getBytes(StandardCharsets.UTF_8));
        Cli.Run t = Cli.run("capsule", "sign", "--in", badTier.toString(), "--key", flow.key(Flow.PROPOSER).toString(),
                "--out", flow.file("c.dsse.json").toString());
        t.assertExit(2).assertNoStackTrace();
        assertTrue(t.err().contains("tier must be T0..T9"), t::toString);
    }

    @Test
    void approveWithAPolicyChecksSignatureKeyAndRole() {
        flow.standardKeys().keys("mallory");
        Path policy = flow.standardPolicy();
        Path c = flow.capsule();

        Cli.Run role = approve(c, policy, "bob", "bob", "service-owner");
        role.assertExit(2).assertNoStackTrace();
        assertTrue(role.err().contains("does not hold role 'service-owner'") && role.err().contains("ROLE_MISSING"), role::toString);

        Cli.Run key = approve(c, policy, "alice", "bob", "security-officer");
        key.assertExit(2).assertNoStackTrace();
        assertTrue(key.err().contains("is not a key of 'bob'"), key::toString);

        Path forged = flow.capsule("forged", "mallory", s -> s);
        Cli.Run sig = approve(forged, policy, "alice", "alice", "service-owner");
        sig.assertExit(2).assertNoStackTrace();
        assertTrue(sig.err().contains("refusing to approve") && sig.err().contains("UNKNOWN_KEY"), sig::toString);

        Cli.Run ok = approve(c, policy, "alice", "alice", "service-owner").assertExit(0).assertNoStackTrace();
        assertEquals("approve", ok.json().get("decision").asText());
        assertEquals("2026-11-25T10:00:00Z", ok.json().get("decidedAt").asText());

        // T2 requires a ticket: signing without one works, with a warning naming what the verifier will say.
        Cli.Run noTicket = Cli.run("capsule", "approve", "--capsule", c.toString(), "--policy", policy.toString(),
                "--key", flow.key("bob").toString(), "--approver", "bob", "--role", "security-officer",
                "--out", flow.file("no-ticket.dsse.json").toString()).assertExit(0);
        assertTrue(noTicket.err().contains("requires a change ticket") && noTicket.err().contains("TICKET_REQUIRED"),
                noTicket::toString);
        Path signed = flow.bundle(c, "no-ticket.json", flow.file("a-alice.dsse.json"), flow.file("no-ticket.dsse.json"));
        assertVerdict(flow.verify(policy, signed), 3, "rejected", "TICKET_REQUIRED");
    }

    private Cli.Run approve(Path capsule, Path policy, String keyOf, String approver, String role) {
        return Cli.run("capsule", "approve", "--capsule", capsule.toString(), "--policy", policy.toString(),
                "--key", flow.key(keyOf).toString(), "--approver", approver, "--role", role, "--ticket", Flow.TICKET,
                "--out", flow.file("a-" + approver + ".dsse.json").toString());
    }

    @Test
    void bundleRefusesAnApprovalOfAnotherCapsule() {
        flow.standardKeys();
        Path a = flow.capsule();
        Path b = flow.capsule("other", Flow.PROPOSER, s -> s.with(x -> x.capsuleId = "other-capsule"));
        Path approvalOfA = flow.approve(a, "alice", "service-owner");

        Cli.Run r = Cli.run("capsule", "bundle", "--capsule", b.toString(), "--approval", approvalOfA.toString(),
                "--out", flow.file("mixed.json").toString());

        r.assertExit(2).assertNoStackTrace();
        assertTrue(r.err().contains("DIGEST_MISMATCH"), r::toString);
        assertFalse(Files.exists(flow.file("mixed.json")));
    }
}
