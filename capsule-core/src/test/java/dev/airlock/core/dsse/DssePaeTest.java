package dev.airlock.core.dsse;

import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SignatureCheck;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.testing.Forge;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS B.6: DSSE pre-authentication encoding and the binding of the payloadType. */
class DssePaeTest {
    private static final String HELLO_TYPE = "http://example.com/HelloWorld";
    private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.UTF_8);

    /** secure-systems-lab/dsse protocol.md v1.0.0, "Test Vectors": the PAE of the example. */
    @Test
    void paeMatchesTheSpecificationKnownAnswer() {
        assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
                new String(Dsse.pae(HELLO_TYPE, HELLO), StandardCharsets.US_ASCII));
    }

    /**
     * The same test vector's signature: ECDSA P-256/SHA-256 with RFC 6979 nonces, raw r‖s, by the key given in the
     * spec. It verifies through our P1363 path, and our deterministic signer with the spec's private scalar produces the
     * same r (and the same s up to the low-S normalisation).
     */
    @Test
    void theSpecificationsExampleSignatureVerifiesAndOurSignerReproducesIt() throws KeyFormatException {
        BigInteger x = new BigInteger("46950820868899156662930047687818585632848591499744589407958293238635476079160");
        BigInteger y = new BigInteger("5640078356564379163099075877009565129882514886557779369047442380624545832820");
        BigInteger d = new BigInteger("97358161215184420915383655311931858321456579547487070936769975997791359926199");
        byte[] point = new byte[65];
        point[0] = 4;
        System.arraycopy(Forge.p1363(x, y), 0, point, 1, 64); // X ‖ Y, 32 bytes each
        PublicKeyHandle key = PublicKeyHandle.p256(point);
        byte[] specSig = Base64.getDecoder()
                .decode("A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==");
        byte[] pae = Dsse.pae(HELLO_TYPE, HELLO);
        assertEquals(SignatureCheck.VALID, key.checkP1363(pae, specSig, false));

        SigningKey ours = SigningKey.p256FromScalar(d);
        assertEquals(key, ours.publicKey(), "the spec's d and (X, Y) are one key pair");
        BigInteger[] rs = Forge.decodeDer(ours.sign(pae));
        BigInteger specR = new BigInteger(1, java.util.Arrays.copyOfRange(specSig, 0, 32));
        BigInteger specS = new BigInteger(1, java.util.Arrays.copyOfRange(specSig, 32, 64));
        assertEquals(specR, rs[0], "RFC 6979 nonce: same r as the reference implementation");
        assertTrue(rs[1].equals(specS) || rs[1].equals(Forge.P256_N.subtract(specS)), "same s up to low-S");
        assertEquals(SignatureCheck.VALID, key.check(pae, ours.sign(pae)));
    }

    @Test
    void lengthsAreUtf8ByteCountsNotCharacterCounts() {
        String type = "application/vnd.exämple.café+json"; // 33 characters, 35 UTF-8 bytes
        byte[] body = "grüße".getBytes(StandardCharsets.UTF_8); // 5 characters, 7 bytes
        assertEquals(33, type.length());
        byte[] pae = Dsse.pae(type, body);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(("DSSEv1 35 " + type + " 7 ").getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(body);
        assertArrayEquals(expected.toByteArray(), pae);

        // A signer that counted characters (sigstore-java's pitfall) produces a signature that does not verify here.
        SigningKey k = TestPki.key("pae-lengths");
        byte[] charCountPae = ("DSSEv1 33 " + type + " 5 grüße").getBytes(StandardCharsets.UTF_8);
        Envelope wrong = Envelope.of(type, body, List.of(new Envelope.Signature(k.keyid(),
                Base64.getEncoder().encodeToString(k.sign(charCountPae)))));
        assertTrue(Dsse.verify(wrong, KeyRing.of(k.publicKey())).verifiedKeys().isEmpty());
        assertEquals(Set.of(k.publicKey()), Dsse.verify(Dsse.sign(type, body, k), KeyRing.of(k.publicKey())).verifiedKeys());
    }

    @Test
    void emptyPayloadAndAmbiguitySplits() {
        assertEquals("DSSEv1 1 x 0 ", new String(Dsse.pae("x", new byte[0]), StandardCharsets.US_ASCII));
        // Length prefixes make the split unambiguous.
        assertNotEquals(new String(Dsse.pae("ab", "c d".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8),
                new String(Dsse.pae("ab c", "d".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }

    @Test
    void aSwappedPayloadTypeFailsTheRawSignatureCheck() {
        SigningKey k = TestPki.key("pae-swap");
        Envelope env = Dsse.sign("application/vnd.airlock.capsule.v1+json", HELLO, k);
        Envelope swapped = Envelope.of("application/vnd.airlock.approval.v1+json", env.payloadBytes(), env.signatures());
        Dsse.Result r = Dsse.verify(swapped, KeyRing.of(k.publicKey()));
        assertTrue(r.verifiedKeys().isEmpty());
        assertEquals(Dsse.FailureKind.INVALID, r.failures().get(0).kind());
        assertEquals(Set.of(k.publicKey()), Dsse.verify(env, KeyRing.of(k.publicKey())).verifiedKeys());
    }

    @Test
    void aSwappedPayloadTypeIsMalformedForTheEngine() {
        TestPki pki = new TestPki();
        Envelope c = pki.signCapsule(pki.capsule());
        Envelope swapped = Envelope.of(PayloadTypes.APPROVAL, c.payloadBytes(), c.signatures());
        byte[] bundle = TestPki.bundle(swapped, pki.approve(c, "alice", "service-owner"), pki.approve(c, "bob", "security-officer"));
        Verdict v = new VerificationEngine(TestPki.clock()).verify(bundle, TestPki.PROD, pki.trusted(), new InMemoryLedger());
        assertEquals(ReasonCode.MALFORMED, v.reason(), v.toJson());
        // And the untouched bundle is admitted, so it is the swap alone that is refused.
        byte[] good = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"), pki.approve(c, "bob", "security-officer"));
        assertTrue(new VerificationEngine(TestPki.clock()).verify(good, TestPki.PROD, pki.trusted(), new InMemoryLedger())
                .isAdmitted());
    }
}
