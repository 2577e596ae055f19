package dev.airlock.core.crypto;

import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.testing.Forge;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS A.2–A.5 against the production key path ({@link PublicKeyHandle}, {@link Dsse#verify}). */
class SignaturePrimitivesTest {
    private static final byte[] MSG = "DSSEv1 39 application/vnd.airlock.capsule.v1+json 2 {}".getBytes(StandardCharsets.UTF_8);
    private static final BigInteger N = Forge.P256_N;

    private final SigningKey p256 = TestPki.p256Key("primitives");
    private final SigningKey ed = TestPki.key("primitives");

    /** RFC 8032 §7.1 TEST 1 and TEST 2: the production signing path gives the published Ed25519 signatures. */
    @Test
    void ed25519SignsTheRfc8032KnownAnswers() {
        HexFormat hex = HexFormat.of();
        SigningKey k1 = SigningKey.ed25519FromSeed(
                hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
                + "6bd25bf5f0595bbe24655141438e7a100b", hex.formatHex(k1.sign(new byte[0])));
        SigningKey k2 = SigningKey.ed25519FromSeed(
                hex.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        assertEquals("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
                + "8c387b2eaeb4302aeeb00d291612bb0c00", hex.formatHex(k2.sign(hex.parseHex("72"))));
    }

    /** A.2: ECDSA scalar ranges (CVE-2022-21449) and low-S. */
    @Nested
    class EcdsaScalars {
        private final byte[] sig = p256.sign(MSG);
        private final BigInteger r = Forge.decodeDer(sig)[0];
        private final BigInteger s = Forge.decodeDer(sig)[1];

        @Test
        void theUntouchedSignatureVerifies() {
            assertEquals(SignatureCheck.VALID, p256.publicKey().check(MSG, sig));
        }

        @Test
        void rZeroIsRefused() {
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().check(MSG, Forge.encodeDer(BigInteger.ZERO, s)));
        }

        @Test
        void sZeroIsRefused() {
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().check(MSG, Forge.encodeDer(r, BigInteger.ZERO)));
        }

        @Test
        void rAndSZeroArePsychicSignaturesAndRefusedInBothEncodings() {
            byte[] der = Hex.decode("3006020100020100");
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().check(MSG, der, false));
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().checkP1363(MSG, new byte[64], false));
        }

        @Test
        void scalarsEqualToOrAboveTheGroupOrderAreRefused() {
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().check(MSG, Forge.encodeDer(N, s), false));
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().check(MSG, Forge.encodeDer(r, N), false));
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, p256.publicKey().checkP1363(MSG, Forge.p1363(N, s), false));
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE,
                    p256.publicKey().checkP1363(MSG, Forge.p1363(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE), s), false));
        }

        @Test
        void highSIsValidEcdsaButRefusedUnderTheEnvelopePolicy() {
            byte[] high = Forge.highS(sig);
            assertEquals(SignatureCheck.VALID, p256.publicKey().check(MSG, high, false), "mathematically valid");
            assertEquals(SignatureCheck.HIGH_S, p256.publicKey().check(MSG, high), "the envelope mode requires low-S");
            assertEquals(SignatureCheck.HIGH_S, p256.publicKey().check(MSG, high, true));

            Envelope env = Dsse.sign("application/vnd.airlock.test+json", MSG, p256);
            byte[] envSig = Base64.getDecoder().decode(env.signatures().get(0).sig());
            Envelope malleated = Envelope.of(env.payloadType(), env.payloadBytes(),
                    List.of(new Envelope.Signature(p256.keyid(), Base64.getEncoder().encodeToString(Forge.highS(envSig)))));
            Dsse.Result result = Dsse.verify(malleated, KeyRing.of(p256.publicKey()));
            assertTrue(result.verifiedKeys().isEmpty());
            assertEquals(SignatureCheck.HIGH_S, result.failures().get(0).check());
            assertEquals(Dsse.FailureKind.MALFORMED_SIGNATURE, result.failures().get(0).kind());
        }

        @Test
        void theLowSBoundaryIsHalfTheOrder() {
            BigInteger half = N.shiftRight(1);
            assertNotEquals(SignatureCheck.HIGH_S, p256.publicKey().check(MSG, Forge.encodeDer(r, half)));
            assertEquals(SignatureCheck.HIGH_S, p256.publicKey().check(MSG, Forge.encodeDer(r, half.add(BigInteger.ONE))));
        }

        @Test
        void ourSignerOnlyEverProducesLowS() {
            for (int i = 0; i < 64; i++) {
                byte[] m = ("message " + i).getBytes(StandardCharsets.UTF_8);
                byte[] sg = p256.sign(m);
                assertTrue(Forge.decodeDer(sg)[1].compareTo(N.shiftRight(1)) <= 0, "high S for message " + i);
                assertEquals(SignatureCheck.VALID, p256.publicKey().check(m, sg));
            }
        }
    }

    /** A.3: exact lengths, checked before any arithmetic. */
    @Nested
    class Lengths {
        private final byte[] sig = ed.sign(MSG);

        @Test
        void ed25519With65BytesTrailingZeroIsRefusedAlthoughItsFirst64BytesVerify() {
            assertEquals(SignatureCheck.VALID, ed.publicKey().check(MSG, sig));
            assertEquals(SignatureCheck.WRONG_LENGTH, ed.publicKey().check(MSG, Arrays.copyOf(sig, 65)));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 32, 63, 65, 96, 128})
        void ed25519OfAnyOtherLengthIsRefused(int length) {
            assertEquals(SignatureCheck.WRONG_LENGTH, ed.publicKey().check(MSG, Arrays.copyOf(sig, length)));
        }

        @Test
        void ecdsaDerLongerThan72OrWithTrailingBytesIsRefused() {
            byte[] der = p256.sign(MSG);
            byte[] trailing = Arrays.copyOf(der, der.length + 1);
            assertNotEquals(SignatureCheck.VALID, p256.publicKey().check(MSG, trailing));
            assertEquals(SignatureCheck.WRONG_LENGTH, p256.publicKey().check(MSG, new byte[73]));
            assertEquals(SignatureCheck.WRONG_LENGTH, p256.publicKey().check(MSG, new byte[7]));
            assertEquals(SignatureCheck.WRONG_LENGTH, p256.publicKey().checkP1363(MSG, new byte[65], false));
        }

        @Test
        void aWrongLengthSignatureInAnEnvelopeCountsForNothing() {
            Envelope env = Envelope.of("application/vnd.airlock.test+json", MSG,
                    List.of(new Envelope.Signature(ed.keyid(), Base64.getEncoder().encodeToString(
                            Arrays.copyOf(ed.sign(Dsse.pae("application/vnd.airlock.test+json", MSG)), 65)))));
            Dsse.Result r = Dsse.verify(env, KeyRing.of(ed.publicKey()));
            assertTrue(r.verifiedKeys().isEmpty());
            assertEquals(SignatureCheck.WRONG_LENGTH, r.failures().get(0).check());
        }
    }

    /** A.4: Ed25519 scalar and point encodings, small-order keys. */
    @Nested
    class Ed25519Encodings {
        private final byte[] sig = ed.sign(MSG);

        @Test
        void sPlusLIsRefused() {
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, ed.publicKey().check(MSG, Forge.ed25519AddL(sig)));
        }

        @Test
        void sEqualToLAndTheLargestSAreRefused() {
            byte[] withL = sig.clone();
            byte[] l = Forge.ED25519_L.toByteArray();
            Arrays.fill(withL, 32, 64, (byte) 0);
            for (int i = 0; i < l.length && i < 32; i++) {
                withL[32 + i] = l[l.length - 1 - i];
            }
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, ed.publicKey().check(MSG, withL));
            byte[] max = sig.clone();
            Arrays.fill(max, 32, 64, (byte) 0xff);
            assertEquals(SignatureCheck.SCALAR_OUT_OF_RANGE, ed.publicKey().check(MSG, max));
        }

        /**
         * Non-canonical R: "negative zero" (x = 0 with the sign bit set) and y ≥ p encodings. A non-canonical R that a lax
         * verifier would accept needs a small-order or mixed-order key (ed25519-speccheck vectors 8 and 9 below), which is
         * refused at load; here the encodings are refused under a real key.
         */
        @ParameterizedTest
        @ValueSource(strings = {
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = p-1, x = -0
                "0100000000000000000000000000000000000000000000000000000000000080", // y = 1, x = -0
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p+1
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p
                "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) // y = 2^255-1
        void nonCanonicalREncodingsAreRefused(String r) {
            byte[] forged = sig.clone();
            System.arraycopy(Hex.decode(r), 0, forged, 0, 32);
            assertEquals(SignatureCheck.INVALID, ed.publicKey().check(MSG, forged));
        }

        /** The eight torsion points and their non-canonical encodings (libsodium's blocklist and then some). */
        @ParameterizedTest
        @ValueSource(strings = {
                "0100000000000000000000000000000000000000000000000000000000000000",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000080",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
                "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
                "0100000000000000000000000000000000000000000000000000000000000080",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"})
        void smallOrderAndNonCanonicalKeysAreRefusedAtLoad(String raw) {
            byte[] key = Hex.decode(raw);
            assertThrows(KeyFormatException.class, () -> PublicKeyHandle.ed25519(key));
            assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromSpki(Forge.ed25519Spki(key)));
            assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromPem(Forge.publicPem(Forge.ed25519Spki(key))));
        }

        /**
         * The twelve vectors of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020;
         * novifinancial/ed25519-speccheck {@code cases.txt}): small, mixed and non-canonical keys, small and non-canonical
         * R, S ≥ L. A strict verifier rejects all twelve. Ours rejects each one either when the key is loaded or when
         * the signature is checked, and never because the key had to be "fixed".
         */
        @Test
        void tamingTheManyEdDsasVectorsAreAllRejected() {
            String[][] cases = {
                {"8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"},
                {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"},
                {"aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e"},
                {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009"},
                {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09"},
                {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405"},
                {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514"},
                {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22"},
                {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f"},
                {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908"},
                {"e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"},
                {"39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"},
            };
            StringBuilder how = new StringBuilder();
            int refusedAtLoad = 0;
            for (int i = 0; i < cases.length; i++) {
                byte[] msg = Hex.decode(cases[i][0]);
                byte[] sigBytes = Hex.decode(cases[i][2]);
                PublicKeyHandle key;
                try {
                    key = PublicKeyHandle.ed25519(Hex.decode(cases[i][1]));
                } catch (KeyFormatException e) {
                    refusedAtLoad++;
                    how.append(i).append(": key refused; ");
                    continue;
                }
                SignatureCheck c = key.check(msg, sigBytes);
                how.append(i).append(": ").append(c).append("; ");
                assertNotEquals(SignatureCheck.VALID, c, "speccheck vector " + i);
            }
            // Vectors 6 and 7 use a key of large prime order: refused by S ≥ L. All others have small, mixed-order or
            // non-canonically encoded keys.
            assertEquals(10, refusedAtLoad, how.toString());
            assertTrue(how.toString().contains("6: SCALAR_OUT_OF_RANGE; 7: SCALAR_OUT_OF_RANGE"), how.toString());
        }
    }

    /** A.5: algorithm confusion and keyid confusion. */
    @Nested
    class Confusion {
        private static final String TYPE = "application/vnd.airlock.test+json";

        @Test
        void anEcdsaSignatureUnderAnEd25519KeyIsRefused() {
            byte[] ecdsaDer = p256.sign(MSG);
            assertEquals(SignatureCheck.WRONG_LENGTH, ed.publicKey().check(MSG, ecdsaDer));
            BigInteger[] rs = Forge.decodeDer(ecdsaDer);
            assertNotEquals(SignatureCheck.VALID, ed.publicKey().check(MSG, Forge.p1363(rs[0], rs[1])),
                    "a 64-byte P1363 ECDSA signature has the Ed25519 length but must not verify");
            assertEquals(SignatureCheck.INVALID, ed.publicKey().checkP1363(MSG, Forge.p1363(rs[0], rs[1]), false),
                    "the P1363 entry point refuses Ed25519 keys outright");
        }

        @Test
        void anEd25519SignatureUnderAnEcdsaKeyIsRefused() {
            byte[] edSig = ed.sign(MSG);
            assertNotEquals(SignatureCheck.VALID, p256.publicKey().check(MSG, edSig));
            assertNotEquals(SignatureCheck.VALID, p256.publicKey().checkP1363(MSG, edSig, false));
        }

        @Test
        void keyidNamingKeyAWithASignatureByKeyBCountsForNeither() {
            SigningKey a = TestPki.key("confusion-a");
            SigningKey b = TestPki.key("confusion-b");
            byte[] bSig = b.sign(Dsse.pae(TYPE, MSG));
            Envelope env = Envelope.of(TYPE, MSG,
                    List.of(new Envelope.Signature(a.keyid(), Base64.getEncoder().encodeToString(bSig))));
            Dsse.Result r = Dsse.verify(env, KeyRing.of(a.publicKey(), b.publicKey()));
            assertTrue(r.verifiedKeys().isEmpty(), "B's valid signature under A's keyid must not count for B either");
            assertEquals(Dsse.FailureKind.INVALID, r.failures().get(0).kind());
            // The same bytes under B's own keyid (or none) verify: the refusal is the keyid binding, not the signature.
            Envelope honest = Envelope.of(TYPE, MSG,
                    List.of(new Envelope.Signature(b.keyid(), Base64.getEncoder().encodeToString(bSig))));
            assertEquals(java.util.Set.of(b.publicKey()), Dsse.verify(honest, KeyRing.of(a.publicKey(), b.publicKey())).verifiedKeys());
        }

        @Test
        void keyidOfAnEd25519KeyOnAnEcdsaSignatureCountsForNothing() {
            byte[] ecdsa = p256.sign(Dsse.pae(TYPE, MSG));
            Envelope env = Envelope.of(TYPE, MSG,
                    List.of(new Envelope.Signature(ed.keyid(), Base64.getEncoder().encodeToString(ecdsa))));
            Dsse.Result r = Dsse.verify(env, KeyRing.of(ed.publicKey(), p256.publicKey()));
            assertTrue(r.verifiedKeys().isEmpty());
            assertEquals(SignatureCheck.WRONG_LENGTH, r.failures().get(0).check());
        }
    }
}
