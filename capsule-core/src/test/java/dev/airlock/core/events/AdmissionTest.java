package dev.airlock.core.events;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Admission#decide}, which embeds an admitted capsule's bytes as received, against the tree round trip of
 * {@code Admission.of(...).sign(...)} it replaces: the same admission once parsed, verifiable by the runner, and the
 * capsule's bytes verbatim in the signed payload.
 */
class AdmissionTest {
    private final TestPki pki = new TestPki();
    private final VerificationEngine engine = new VerificationEngine(TestPki.clock());
    private final SigningKey gateway = SigningKey.generate(KeyAlgorithm.ED25519);
    private final Instant at = TestPki.NOW;

    private Verdict verdict(byte[] signedCapsule) {
        return engine.verify(signedCapsule, TestPki.PROD, pki.trusted(), new InMemoryLedger());
    }

    private static Admission parse(Envelope e) throws VerificationException {
        return StrictJson.read(e.payloadBytes(), Admission.class, StrictJson.SIGNED.withMaxBytes(80L * 1024 * 1024));
    }

    @Test
    void anAdmissionParsesToWhatTheTreeRoundTripGaveAndVerifies() throws Exception {
        byte[] sc = pki.admissible();
        Verdict v = verdict(sc);
        assertTrue(v.isAdmitted(), v.toJson());
        Envelope fast = Admission.decide(v, sc, at, "gateway.enclave-1", gateway);
        Envelope tree = Admission.of(v, sc, at, "gateway.enclave-1").sign(gateway);
        assertEquals(parse(tree), parse(fast));
        Admission verified = Admission.verify(fast.toJson(), Admission.ring(gateway.publicKey()));
        assertEquals(v.capsuleDigest(), verified.capsuleDigest());
        assertEquals(StrictJson.mapper().readTree(sc), verified.signedCapsule());
    }

    @Test
    void theCapsuleIsEmbeddedAsTheExactBytesReceived() throws Exception {
        // the same signed capsule with whitespace a re-serialization would drop: still admitted, kept byte for byte
        byte[] sc = ("\n  " + new String(StrictJson.writePretty(StrictJson.mapper().readTree(pki.admissible())),
                StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        Verdict v = verdict(sc);
        assertTrue(v.isAdmitted(), v.toJson());
        byte[] payload = Admission.decide(v, sc, at, "gateway.enclave-1", gateway).payloadBytes();
        String p = new String(payload, StandardCharsets.UTF_8);
        assertTrue(p.endsWith("\"signedCapsule\":" + new String(sc, StandardCharsets.UTF_8) + "}"), p);
        assertEquals(StrictJson.mapper().readTree(sc), parse(Envelope.parse(
                Admission.decide(v, sc, at, "gateway.enclave-1", gateway).toJson())).signedCapsule());
    }

    @Test
    void aRejectionIsTheSameEnvelopeByteForByte() throws Exception {
        Envelope c = pki.signCapsule(pki.capsule());
        byte[] sc = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"));
        Verdict v = verdict(sc);
        assertEquals(ReasonCode.THRESHOLD_NOT_MET, v.reason(), v.toJson());
        // Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so equal payloads give equal envelopes
        assertArrayEquals(Admission.of(v, sc, at, "gateway.enclave-1").sign(gateway).toJson(),
                Admission.decide(v, sc, at, "gateway.enclave-1", gateway).toJson());
    }

    @Test
    void anAdmissionPutTogetherAgainFromItsHeadTheCapsuleAndItsSignaturesIsTheSameEnvelope() throws Exception {
        byte[] sc = pki.admissible();
        Verdict v = verdict(sc);
        Admission.Detachable d = Admission.decideDetachable(v, sc, at, "gateway.enclave-1", gateway);
        assertTrue(d.embedsCapsule());
        assertTrue(d.head().length < 2048,
                "the head holds what the gateway added, not the capsule: " + d.head().length);
        byte[] again = Admission.reassemble(d.head(), sc.clone(), d.envelope().signatures()).toJson();
        assertArrayEquals(Admission.decide(v, sc, at, "gateway.enclave-1", gateway).toJson(), again);
        assertEquals(v.capsuleDigest(), Admission.verify(again, Admission.ring(gateway.publicKey())).capsuleDigest());
    }

    @Test
    void anAdmissionPutTogetherWithOtherCapsuleBytesDoesNotVerify() throws Exception {
        byte[] sc = pki.admissible();
        Admission.Detachable d = Admission.decideDetachable(verdict(sc), sc, at, "gateway.enclave-1", gateway);
        // the caller checks the capsule's digest first; if it did not, the signature still gives it away
        byte[] other = (" " + new String(sc, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        byte[] forged = Admission.reassemble(d.head(), other, d.envelope().signatures()).toJson();
        VerificationException e = assertThrows(VerificationException.class,
                () -> Admission.verify(forged, Admission.ring(gateway.publicKey())));
        assertEquals(ReasonCode.SIGNATURE_INVALID, e.reason());
        assertThrows(IllegalArgumentException.class, () -> Admission.reassemble(
                "{\"schema\":1,".getBytes(StandardCharsets.UTF_8), sc, d.envelope().signatures()), "not a head");
    }

    @Test
    void aRejectionEmbedsNoCapsule() {
        Envelope c = pki.signCapsule(pki.capsule());
        byte[] sc = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"));
        Admission.Detachable d = Admission.decideDetachable(verdict(sc), sc, at, "gateway.enclave-1", gateway);
        assertFalse(d.embedsCapsule());
    }

    @Test
    void somethingThatIsNotAnObjectIsRefused() {
        Verdict v = verdict(pki.admissible());
        for (String bad : new String[] {"", "  ", "[1]", "{", "}", "\"x\"", "{\"a\":1} x"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> Admission.decide(v, bad.getBytes(StandardCharsets.UTF_8), at, "gateway.enclave-1", gateway), bad);
        }
    }

    // --- v2: a signed statement naming the capsule by digest, the capsule beside it ---

    private Admission.Issued issue(byte[] sc) {
        return Admission.issue(verdict(sc), sc, null, at, "gateway.enclave-1", gateway);
    }

    private Admission verify(byte[] record) throws VerificationException {
        return Admission.verify(record, Admission.ring(gateway.publicKey()));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aV2AdmissionSignsAStatementAndCarriesTheCapsuleBesideItUnchanged() throws Exception {
        byte[] sc = pki.admissible();
        Verdict v = verdict(sc);
        Admission.Issued issued = issue(sc);
        assertTrue(issued.embedsCapsule());
        byte[] record = issued.toRecord();
        assertEquals("{\"admission\":" + text(issued.envelopeJson()) + ",\"signedCapsule\":" + text(sc) + "}",
                text(record));
        assertTrue(issued.envelopeJson().length < 2048, "the signed part is the statement, not the capsule: "
                + issued.envelopeJson().length);
        assertEquals(PayloadTypes.ADMISSION_V2, issued.envelope().payloadType());

        Admission a = verify(record);
        assertEquals(Admission.SCHEMA_V2, a.schema());
        assertEquals(v.capsuleDigest(), a.capsuleDigest());
        assertEquals(Hex.digest(sc), a.signedCapsuleDigest());
        assertEquals(StrictJson.mapper().readTree(sc), a.signedCapsule());
        // everything the v1 admission said, the v2 one says
        Admission v1 = Admission.verify(Admission.decide(v, sc, at, "gateway.enclave-1", gateway).toJson(),
                Admission.ring(gateway.publicKey()));
        assertEquals(v1.signedCapsule(), a.signedCapsule());
        assertEquals(List.of(v1.verdict(), v1.capsuleId(), v1.environment(), v1.effectiveMode(), v1.lineage(),
                        v1.approvers(), v1.decidedAt()),
                List.of(a.verdict(), a.capsuleId(), a.environment(), a.effectiveMode(), a.lineage(), a.approvers(),
                        a.decidedAt()));
    }

    @Test
    void aV2RecordIsTheSameRecordWhenFramedAgainFromTheStatementAndTheCapsule() {
        byte[] sc = pki.admissible();
        Admission.Issued issued = Admission.issue(verdict(sc), sc, Hex.digest(sc), at, "gateway.enclave-1", gateway);
        assertArrayEquals(issued.toRecord(), Admission.frame(issued.envelopeJson(), sc.clone()));
    }

    @Test
    void aV2CapsuleWithSurroundingWhitespaceIsCarriedAndNamedWithoutIt() throws Exception {
        byte[] bare = pki.admissible();
        byte[] sc = bytes("\n  " + text(bare) + "\n");
        // a digest of the bytes as received does not name what is carried; issue() computes the one that does
        Admission.Issued issued = Admission.issue(verdict(sc), sc, Hex.digest(sc), at, "gateway.enclave-1", gateway);
        assertArrayEquals(bare, issued.signedCapsule());
        assertEquals(Hex.digest(bare), verify(issued.toRecord()).signedCapsuleDigest());
        assertArrayEquals(issued.toRecord(), Admission.frame(issued.envelopeJson(), sc));
    }

    @Test
    void aV2RejectionCarriesNoCapsule() throws Exception {
        Envelope c = pki.signCapsule(pki.capsule());
        byte[] sc = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"));
        Admission.Issued issued = issue(sc);
        assertFalse(issued.embedsCapsule());
        assertEquals("{\"admission\":" + text(issued.envelopeJson()) + "}", text(issued.toRecord()));
        Admission a = verify(issued.toRecord());
        assertEquals(ReasonCode.THRESHOLD_NOT_MET.name(), a.reason());
        assertEquals(null, a.signedCapsule());
        assertEquals(null, a.signedCapsuleDigest());

        // a capsule put beside a rejection is refused, not handed on
        VerificationException e = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(issued.envelopeJson(), pki.admissible())));
        assertEquals(ReasonCode.MALFORMED, e.reason(), e.getMessage());
    }

    @Test
    void anotherCapsuleBesideAV2StatementIsADigestMismatchFoundBeforeTheCapsuleIsParsed() {
        byte[] sc = pki.admissible();
        Admission.Issued issued = issue(sc);
        Envelope c = pki.signCapsule(pki.capsule(spec -> {
            spec.sequence = 4;
            return spec;
        }));
        byte[] other = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"), pki.approve(c, "bob",
                "security-officer"));
        VerificationException e = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(issued.envelopeJson(), other)));
        assertEquals(ReasonCode.DIGEST_MISMATCH, e.reason(), e.getMessage());
        // not JSON at all where the capsule goes: still the digest that refuses it, so nothing parsed it first
        VerificationException notJson = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(issued.envelopeJson(), bytes("{\"a\":1,\"a\":[}"))));
        assertEquals(ReasonCode.DIGEST_MISMATCH, notJson.reason(), notJson.getMessage());
    }

    @Test
    void aV2RecordOutOfItsExactFramingIsMalformed() {
        byte[] sc = pki.admissible();
        Admission.Issued issued = issue(sc);
        String env = text(issued.envelopeJson());
        String cap = text(sc);
        for (String bad : new String[] {
                "{\"admission\":" + env + ",\"signedCapsule\":" + cap + "} ",
                "{\"admission\":" + env + ",\"signedCapsule\":" + cap + "}}",
                "{\"admission\":" + env + ", \"signedCapsule\":" + cap + "}",
                "{\"admission\":" + env + ",\"capsule\":" + cap + "}",
                "{\"admission\":" + env + ",\"signedCapsule\":" + cap + ",\"x\":1}",
                "{\"admission\":" + env + ",\"signedCapsule\":}",
                "{\"admission\":" + env,
                "{\"admission\":" + env + "}" + cap,
                "{\"admission\":" + env.substring(0, env.length() - 1),
                "{\"admission\":[" + env + "]}",
                "{\"admission\":{\"payloadType\":\"x\",\"payloadType\":\"y\"}}",
        }) {
            VerificationException e = assertThrows(VerificationException.class, () -> verify(bytes(bad)),
                    bad.length() > 200 ? bad.substring(0, 200) : bad);
            assertTrue(e.reason() == ReasonCode.MALFORMED || e.reason() == ReasonCode.DIGEST_MISMATCH,
                    e.reason() + ": " + e.getMessage());
        }
        // a statement of an admission alone, without its capsule
        VerificationException e = assertThrows(VerificationException.class,
                () -> verify(bytes("{\"admission\":" + env + "}")));
        assertEquals(ReasonCode.MALFORMED, e.reason(), e.getMessage());
    }

    @Test
    void aV2StatementSignedByAnotherKeyOrAlteredIsRefused() {
        byte[] sc = pki.admissible();
        Admission.Issued other = Admission.issue(verdict(sc), sc, null, at, "gateway.enclave-1",
                SigningKey.generate(KeyAlgorithm.ED25519));
        VerificationException unknown = assertThrows(VerificationException.class, () -> verify(other.toRecord()));
        assertEquals(ReasonCode.UNKNOWN_KEY, unknown.reason());

        Envelope good = issue(sc).envelope();
        Admission forged = new Admission(Admission.SCHEMA_V2, Verdict.ADMITTED, null, "admitted", "x-1",
                Hex.digest(bytes("x")), TestPki.PROD, "T1", "apply", 1L, "l", 1L, List.of(), at, "gateway.enclave-1",
                Hex.digest(sc), null);
        byte[] swapped = Envelope.of(PayloadTypes.ADMISSION_V2, StrictJson.write(forged), good.signatures()).toJson();
        VerificationException bad = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(swapped, sc)));
        assertEquals(ReasonCode.SIGNATURE_INVALID, bad.reason());
    }

    @Test
    void aVersionAndItsPayloadTypeGoTogether() throws Exception {
        byte[] sc = pki.admissible();
        Verdict v = verdict(sc);
        // a v2 statement signed as a v1 envelope, and a v1 admission framed as v2: both refused
        Admission statement = new Admission(Admission.SCHEMA_V2, v.verdict(), null, v.detail(), v.capsuleId(),
                v.capsuleDigest(), v.environment(), v.tier(), v.effectiveMode(), v.policyVersion(), v.lineage(),
                v.sequence(), v.approvers(), at, "gateway.enclave-1", Hex.digest(sc), null);
        byte[] asV1 = Dsse.sign(PayloadTypes.ADMISSION, StrictJson.write(statement), gateway).toJson();
        VerificationException e1 = assertThrows(VerificationException.class, () -> verify(asV1));
        assertEquals(ReasonCode.MALFORMED, e1.reason(), e1.getMessage());

        byte[] v1 = Admission.decide(v, sc, at, "gateway.enclave-1", gateway).toJson();
        VerificationException e2 = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(v1, sc)));
        assertEquals(ReasonCode.MALFORMED, e2.reason(), e2.getMessage());

        // a v2 statement that embeds the capsule as well is not what v2 signs
        Admission embedding = Admission.verify(v1, Admission.ring(gateway.publicKey()));
        Admission both = new Admission(Admission.SCHEMA_V2, v.verdict(), null, v.detail(), v.capsuleId(),
                v.capsuleDigest(), v.environment(), v.tier(), v.effectiveMode(), v.policyVersion(), v.lineage(),
                v.sequence(), v.approvers(), at, "gateway.enclave-1", Hex.digest(sc), embedding.signedCapsule());
        assertThrows(IllegalStateException.class, () -> both.sign(gateway));
        byte[] signedBoth = Dsse.sign(PayloadTypes.ADMISSION_V2, StrictJson.write(both), gateway).toJson();
        VerificationException e3 = assertThrows(VerificationException.class,
                () -> verify(Admission.frame(signedBoth, sc)));
        assertEquals(ReasonCode.MALFORMED, e3.reason(), e3.getMessage());
    }
}
