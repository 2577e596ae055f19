package dev.airlock.core.verify;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SECURITY-TESTS B.7 / ARCHITECTURE invariant 5: the payload parser never sees bytes whose signature did not verify.
 * Each hostile payload is shown to be hostile (validly signed, it is refused by the parser with its own reason), and
 * under an invalid or unknown signature it yields the signature's reason instead — and the verdict carries no capsule
 * id, which only a parse could have produced.
 */
class VerifyBeforeParseTest {
    private static final TestPki PKI = new TestPki();
    private static final TrustedPolicy POLICY = PKI.trusted();
    private static final VerificationEngine ENGINE = new VerificationEngine(TestPki.clock());

    static Stream<Arguments> hostilePayloads() {
        String capsule = new String(StrictJson.write(PKI.capsule()), StandardCharsets.UTF_8);
        StringBuilder wide = new StringBuilder("{\"a\":[");
        for (int i = 0; i < 200_000; i++) {
            wide.append("0,");
        }
        wide.append("0]}");
        return Stream.of(
                Arguments.of("truncated JSON", utf8("{\"schema\":\"airlock.capsule/v1\","), ReasonCode.MALFORMED),
                Arguments.of("not JSON at all", utf8("<capsule/>"), ReasonCode.MALFORMED),
                Arguments.of("depth bomb", utf8("{\"a\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}"), ReasonCode.TOO_LARGE),
                Arguments.of("200,000 elements", utf8(wide.toString()), ReasonCode.TOO_LARGE),
                Arguments.of("duplicate key", utf8(capsule.replace("\"mode\":\"apply\"", "\"mode\":\"observe\",\"mode\":\"apply\"")),
                        ReasonCode.MALFORMED),
                Arguments.of("invalid UTF-8", concat(utf8("{\"schema\":\""), new byte[] {(byte) 0xC3, 0x28, '"', '}'}),
                        ReasonCode.MALFORMED),
                Arguments.of("byte order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(capsule)),
                        ReasonCode.MALFORMED),
                Arguments.of("unknown schema", utf8(capsule.replace("airlock.capsule/v1", "airlock.capsule/v9")),
                        ReasonCode.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostilePayloads")
    @Timeout(60)
    void aHostilePayloadUnderABadSignatureIsNeverParsed(String what, byte[] payload, ReasonCode parserReason) {
        SigningKey proposer = PKI.of("fleet.dependency-bump");
        Envelope good = PKI.signCapsule(PKI.capsule());
        Envelope[] approvals = {PKI.approve(good, "alice", "service-owner"), PKI.approve(good, "bob", "security-officer")};

        // Validly signed, the payload reaches the parser and is refused by it: it really is hostile.
        Verdict signed = verify(TestPki.bundle(Dsse.sign(PayloadTypes.CAPSULE, payload, proposer), approvals));
        assertEquals(parserReason, signed.reason(), what + ": " + signed.toJson());

        // Under the proposer's keyid with a signature over other bytes: SIGNATURE_INVALID, nothing parsed.
        Envelope badSig = Envelope.of(PayloadTypes.CAPSULE, payload,
                List.of(new Envelope.Signature(proposer.keyid(), good.signatures().get(0).sig())));
        Verdict v1 = verify(TestPki.bundle(badSig, approvals));
        assertEquals(ReasonCode.SIGNATURE_INVALID, v1.reason(), what + ": " + v1.toJson());
        assertNull(v1.capsuleId(), "no capsule id can be known without parsing");

        // Signed by a key outside the policy: UNKNOWN_KEY, nothing parsed.
        Verdict v2 = verify(TestPki.bundle(Dsse.sign(PayloadTypes.CAPSULE, payload, TestPki.key("mallory")), approvals));
        assertEquals(ReasonCode.UNKNOWN_KEY, v2.reason(), what + ": " + v2.toJson());
        assertNull(v2.capsuleId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostilePayloads")
    @Timeout(60)
    void aHostileApprovalUnderABadSignatureIsIgnoredUnparsed(String what, byte[] payload, ReasonCode parserReason) {
        Envelope c = PKI.signCapsule(PKI.capsule());
        Envelope alice = PKI.approve(c, "alice", "service-owner");
        Envelope bob = PKI.approve(c, "bob", "security-officer");
        // Validly signed by bob, the hostile approval is parsed and refused.
        Verdict signed = verify(TestPki.bundle(c, alice, Dsse.sign(PayloadTypes.APPROVAL, payload, PKI.of("bob"))));
        assertEquals(parserReason, signed.reason(), what + ": " + signed.toJson());
        // Under bob's keyid with a wrong signature it is ignored, never parsed: one approver short, not MALFORMED.
        Envelope forged = Envelope.of(PayloadTypes.APPROVAL, payload,
                List.of(new Envelope.Signature(PKI.of("bob").keyid(), bob.signatures().get(0).sig())));
        Verdict v = verify(TestPki.bundle(c, alice, forged));
        assertEquals(ReasonCode.THRESHOLD_NOT_MET, v.reason(), what + ": " + v.toJson());
        assertTrue(v.detail().contains("approval #1: signature does not verify"), v.detail());
    }

    /** TUF 5.3.4: a next policy not signed by the installed root is refused before its payload is parsed. */
    @Test
    void aNextPolicyIsAuthenticatedByTheInstalledRootBeforeItIsParsed() throws Exception {
        byte[] garbage = utf8("{\"schema\":\"airlock.policy/v1\",\"version\":2,\"version\":3");
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        store.install(POLICY);
        PolicyTrust trust = new PolicyTrust(TestPki.clock());
        VerificationException unsigned = assertThrows(VerificationException.class, () -> trust.accept(
                Dsse.sign(PayloadTypes.POLICY, garbage, PKI.of("alice"), PKI.of("bob")).toJson(), Optional.of(POLICY), store));
        assertEquals(ReasonCode.POLICY_INVALID, unsigned.reason(), unsigned.detail());
        VerificationException signed = assertThrows(VerificationException.class, () -> trust.accept(
                Dsse.sign(PayloadTypes.POLICY, garbage, PKI.root(1), PKI.root(2)).toJson(), Optional.of(POLICY), store));
        assertEquals(ReasonCode.MALFORMED, signed.reason(), "root-signed, it is parsed: " + signed.detail());
        assertEquals(List.of(POLICY), store.history(), "nothing installed");
    }

    @Test
    void approvalsAreOnlyParsedAfterTheirOwnSignatureVerifies() {
        Envelope c = PKI.signCapsule(PKI.capsule());
        // An approval that claims a role bob does not hold would be ROLE_MISSING if parsed; with a broken signature
        // it must be ignored instead.
        Approval claim = new Approval(Approval.SCHEMA, c.payloadDigest(), PKI.capsule().capsuleId(), "bob",
                "authorizing-official", Approval.APPROVE, "CHG0012345", TestPki.NOW, Approval.REVIEW);
        Envelope real = Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(claim), PKI.of("bob"));
        assertEquals(ReasonCode.ROLE_MISSING, verify(TestPki.bundle(c, PKI.approve(c, "alice", "service-owner"), real)).reason());
        Envelope broken = Envelope.of(PayloadTypes.APPROVAL, StrictJson.write(claim),
                List.of(new Envelope.Signature(PKI.of("bob").keyid(), PKI.approve(c, "bob", "security-officer").signatures().get(0).sig())));
        assertEquals(ReasonCode.THRESHOLD_NOT_MET,
                verify(TestPki.bundle(c, PKI.approve(c, "alice", "service-owner"), broken)).reason());
    }

    private static Verdict verify(byte[] bundle) {
        return ENGINE.verify(bundle, TestPki.PROD, POLICY, new InMemoryLedger());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
