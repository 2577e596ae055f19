package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static dev.airlock.cli.Flow.assertVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worked example end to end, and the rejections a user meets on the way (ARCHITECTURE §5, §6). */
class CapsuleFlowTest {
    @TempDir
    Path tmp;
    Flow flow;
    Path policy;

    @BeforeEach
    void keysAndPolicy() {
        flow = new Flow(tmp).standardKeys();
        policy = flow.standardPolicy();
    }

    @Test
    void theWorkedExampleIsAdmitted() {
        Path signed = flow.admissible();

        Cli.Run r = flow.verify(policy, signed);

        assertVerdict(r, 0, "admitted", null);
        JsonNode v = r.json();
        assertEquals("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01", v.get("capsuleId").asText());
        assertEquals(Flow.ENV, v.get("environment").asText());
        assertEquals("T2", v.get("tier").asText());
        assertEquals(1, v.get("policyVersion").asLong());
        assertEquals("apply", v.get("effectiveMode").asText());
        assertEquals(List.of("alice", "bob"), v.get("approvers").findValuesAsText("approver"));
        assertTrue(v.get("capsuleDigest").asText().startsWith("sha256:"), r::toString);
    }

    @Test
    void oneApprovalIsNotEnoughForT2() {
        Path c = flow.capsule();
        Path signed = flow.bundle(c, "one.json", flow.approve(c, "alice", "service-owner"));

        Cli.Run r = flow.verify(policy, signed);

        assertVerdict(r, 3, "rejected", "THRESHOLD_NOT_MET");
        assertTrue(r.json().get("detail").asText().contains("1 distinct eligible approver(s) of 2"), r::toString);
        assertTrue(r.err().contains("rejected: THRESHOLD_NOT_MET"), r::toString);
    }

    @Test
    void aProposerCannotApproveItsOwnCapsule() {
        // alice may propose and is a service owner: separation of duties still forbids approving her own capsule.
        Path c = flow.capsule("alice-capsule", "alice", s -> s.with(x -> x.proposer = "alice"));
        Path signed = flow.bundle(c, "self.json", flow.approve(c, "alice", "service-owner"),
                flow.approve(c, "bob", "security-officer"));

        assertVerdict(flow.verify(policy, signed), 3, "rejected", "SELF_APPROVAL");
    }

    @Test
    void aRejectingApproverBlocksTheCapsule() {
        Path c = flow.capsule();
        Path signed = flow.bundle(c, "blocked.json", flow.approve(c, "alice", "service-owner"),
                flow.approve(c, "bob", "security-officer", "--reject"));

        Cli.Run r = flow.verify(policy, signed);

        assertVerdict(r, 3, "rejected", "REJECTED_BY_APPROVER");
        assertTrue(r.json().get("detail").asText().contains("'bob'"), r::toString);
    }

    @Test
    void withStateASecondVerifyIsAReplay() throws IOException {
        Path signed = flow.admissible();
        Path state = tmp.resolve("state");

        assertVerdict(flow.verify(policy, signed, "--state", state.toString()), 0, "admitted", null);
        Cli.Run again = flow.verify(policy, signed, "--state", state.toString());

        assertVerdict(again, 3, "rejected", "REPLAY");
        assertTrue(again.json().get("detail").asText().contains("already admitted"), again::toString);
        List<String> ledger = Files.readAllLines(state.resolve("ledger.jsonl"));
        assertEquals(1, ledger.size(), ledger::toString);
        assertTrue(ledger.get(0).contains("\"capsuleId\":\"0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01\""), ledger::toString);
        assertTrue(Files.exists(state.resolve("policies/policy-v1.dsse.json")));

        // A lower sequence in the same lineage, though a new capsule id, is a replay too.
        Path older = flow.capsule("older", Flow.PROPOSER, s -> s.with(x -> {
            x.capsuleId = "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a00";
            x.sequence = 2;
        }));
        Path olderSigned = flow.bundle(older, "older-signed.json", flow.approve(older, "alice", "service-owner"),
                flow.approve(older, "bob", "security-officer"));
        Cli.Run r = flow.verify(policy, olderSigned, "--state", state.toString());
        assertVerdict(r, 3, "rejected", "REPLAY");
        assertTrue(r.json().get("detail").asText().contains("sequence 2"), r::toString);
    }

    @Test
    void withoutStateNothingIsRemembered() {
        Path signed = flow.admissible();

        assertVerdict(flow.verify(policy, signed), 0, "admitted", null);
        assertVerdict(flow.verify(policy, signed), 0, "admitted", null);
    }

    @Test
    void policyRotationThroughState() {
        flow.keys("root-4");
        Path state = tmp.resolve("state");
        assertVerdict(flow.verify(policy, flow.admissible(), "--state", state.toString()), 0, "admitted", null);

        // v2 rotates root-1 out and root-4 in: signed by a threshold of v1's root (root-1, root-2) and of its own
        // root (root-2, root-4).
        Path v2 = flow.signPolicy(flow.policy(2, 2, "root-2", "root-3", "root-4"), "policy-v2", "root-1", "root-2", "root-4");
        Path c2 = flow.capsule("capsule-2", Flow.PROPOSER, s -> s.with(x -> {
            x.capsuleId = "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a02";
            x.sequence = 4;
            x.policyVersion = 2;
        }));
        Path signed2 = flow.bundle(c2, "signed-2.json", flow.approve(c2, "alice", "service-owner"),
                flow.approve(c2, "bob", "security-officer"));

        Cli.Run rotated = flow.verify(v2, signed2, "--state", state.toString());
        assertVerdict(rotated, 0, "admitted", null);
        assertEquals(2, rotated.json().get("policyVersion").asLong());
        assertTrue(rotated.err().contains("policy version 2 accepted as the successor of version 1"), rotated::toString);
        assertTrue(Files.exists(state.resolve("policies/policy-v2.dsse.json")));

        // The old version offered again: a rollback, reported as a verdict.
        Cli.Run rollback = flow.verify(policy, flow.file("signed-capsule.json"), "--state", state.toString());
        assertVerdict(rollback, 3, "rejected", "POLICY_ROLLBACK");

        // Offering v2 again is idempotent: no new version, still in force.
        assertVerdict(flow.verify(v2, signed2, "--state", state.toString()), 3, "rejected", "REPLAY");
    }

    @Test
    void aRotationNotSignedByTheOldRootIsRefusedAndChangesNothing() throws IOException {
        flow.keys("root-4", "root-5");
        Path state = tmp.resolve("state");
        assertVerdict(flow.verify(policy, flow.admissible(), "--state", state.toString()), 0, "admitted", null);

        // Only new root keys and root-3: one key of v1's root, threshold 2.
        Path v2 = flow.signPolicy(flow.policy(2, 2, "root-3", "root-4", "root-5"), "policy-v2", "root-4", "root-5");
        Cli.Run r = flow.verify(v2, flow.file("signed-capsule.json"), "--state", state.toString());

        assertVerdict(r, 3, "rejected", "POLICY_INVALID");
        assertTrue(r.json().get("detail").asText().contains("version 1 root"), r::toString);
        assertFalse(Files.exists(state.resolve("policies/policy-v2.dsse.json")));
        try (var files = Files.list(state.resolve("policies"))) {
            assertEquals(List.of("policy-v1.dsse.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void nowDecidesExpiry() {
        Path signed = flow.admissible();

        // TestPki's capsule: created NOW-10min, expires NOW+7d; the policy: NOW-1d .. NOW+90d.
        assertVerdict(flow.verify(policy, signed, "--now", "2026-11-25T10:00:00Z"), 0, "admitted", null);
        Cli.Run late = flow.verify(policy, signed, "--now", "2026-12-02T10:00:00Z");
        assertVerdict(late, 3, "rejected", "CAPSULE_EXPIRED");
        assertVerdict(flow.verify(policy, signed, "--now", "2027-02-23T10:00:00Z"), 3, "rejected", "POLICY_EXPIRED");
        // Created 10 minutes after "now": beyond the 5-minute clock skew.
        assertVerdict(flow.verify(policy, signed, "--now", "2026-11-25T09:44:59Z"), 3, "rejected", "CAPSULE_EXPIRED");
        // Just inside the skew.
        assertVerdict(flow.verify(policy, signed, "--now", "2026-11-25T09:45:00Z"), 0, "admitted", null);
    }

    @Test
    void nowOverridesTheClock() {
        Path signed = flow.admissible();
        Clock later = Clock.fixed(TestPki.NOW.plus(Duration.ofDays(100)), ZoneOffset.UTC);
        String[] args = {"capsule", "verify", "--policy", policy.toString(), "--environment", Flow.ENV,
                "--capsule", signed.toString()};

        assertVerdict(Cli.run(Map.of(), later, args), 3, "rejected", "POLICY_EXPIRED");
        String[] withNow = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--now", "2026-11-25T10:00:00Z")).toArray(String[]::new);
        assertVerdict(Cli.run(Map.of(), later, withNow), 0, "admitted", null);
    }

    @Test
    void aBadNowIsAUsageError() {
        Path signed = flow.admissible();

        for (String bad : List.of("yesterday", "2026-11-25T10:00:00+01:00", "2026-11-25", "2026-13-01T00:00:00Z")) {
            Cli.Run r = flow.verify(policy, signed, "--now", bad).assertExit(2).assertNoStackTrace();
            assertTrue(r.err().contains("Invalid value for option '--now'"), r::toString);
            assertTrue(r.err().contains("RFC 3339"), r::toString);
            assertEquals("", r.out());
        }
    }

    @Test
    void otherEnvironmentAndGarbageAreVerdicts() throws IOException {
        Path signed = flow.admissible();
        Cli.Run other = Cli.run("capsule", "verify", "--policy", policy.toString(), "--environment", "staging",
                "--capsule", signed.toString());
        assertVerdict(other, 3, "rejected", "ENVIRONMENT_MISMATCH");

        Path dup = flow.write("dup.json", "{\"schema\":\"airlock.signed-capsule/v1\",\"schema\":\"x\"}".getBytes());
        Cli.Run r = flow.verify(policy, dup);
        assertVerdict(r, 3, "rejected", "MALFORMED");

        Path notPolicy = flow.write("not-policy.json", Files.readAllBytes(signed));
        assertVerdict(flow.verify(notPolicy, signed), 3, "rejected", "MALFORMED");
    }
}
