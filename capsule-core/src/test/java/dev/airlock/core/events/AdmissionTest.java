package dev.airlock.core.events;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
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
}
