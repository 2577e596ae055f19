package dev.airlock.core.crypto;

import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ARCHITECTURE §1 invariant 6 for key material: a public key from a policy document, or a private key file, that is not
 * well-formed DER is refused with {@link KeyFormatException} (which the policy loader turns into POLICY_INVALID), never
 * with whatever runtime exception BouncyCastle's ASN.1 layer happens to throw. Deterministic mutations of valid
 * encodings: every truncation, every single-byte substitution at every position, and seeded random DER-looking bytes.
 */
class KeyDecodingRobustnessTest {
    private static final int[] BYTES = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0c, 0x13, 0x16, 0x1e, 0x21,
            0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0xa0, 0xa1, 0xff};

    @Test
    void malformedPublicKeyDerIsAlwaysAKeyFormatException() {
        Map<String, Integer> other = new TreeMap<>();
        int tried = 0;
        for (SigningKey k : List.of(TestPki.key("robust-ed"), TestPki.p256Key("robust-p256"))) {
            for (byte[] der : mutations(k.publicKey().spki(), 0x30)) {
                tried++;
                try {
                    PublicKeyHandle h = PublicKeyHandle.fromSpki(der);
                    // A mutation may still be a valid key (another curve point); then it must round-trip exactly.
                    assertEquals(Hex.encode(der), Hex.encode(h.spki()));
                } catch (KeyFormatException expected) {
                    // the one allowed refusal
                } catch (RuntimeException e) {
                    other.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                }
            }
        }
        assertEquals(Map.of(), other, "runtime exceptions out of PublicKeyHandle.fromSpki over " + tried + " inputs");
    }

    @Test
    void malformedPrivateKeyDerIsAlwaysAKeyFormatException() {
        Map<String, Integer> other = new TreeMap<>();
        int tried = 0;
        for (SigningKey k : List.of(TestPki.key("robust-ed"), TestPki.p256Key("robust-p256"))) {
            byte[] der = Base64.getMimeDecoder().decode(k.toPem().replaceAll("-----[A-Z ]+-----", ""));
            for (byte[] m : mutations(der, 0x30)) {
                tried++;
                String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(m)
                        + "\n-----END PRIVATE KEY-----\n";
                try {
                    SigningKey.fromPem(pem);
                } catch (KeyFormatException expected) {
                    // the one allowed refusal
                } catch (RuntimeException e) {
                    other.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                }
            }
        }
        assertEquals(Map.of(), other, "runtime exceptions out of SigningKey.fromPem over " + tried + " inputs");
    }

    @Test
    void aBitStringWithPaddingBitsIsRefusedAsSuch() {
        byte[] spki = TestPki.key("robust-pad").publicKey().spki();
        byte[] padded = spki.clone();
        padded[11] = 1; // the BIT STRING's unused-bits octet (302a 3005 0603 2b6570 0321 [00] <32 bytes>)
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromSpki(padded));
    }

    @Test
    void nullAndEmptyInputsAreKeyFormatExceptions() {
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromSpki(new byte[0]));
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromPem(null));
        assertThrows(KeyFormatException.class, () -> SigningKey.fromPem(null));
        assertThrows(KeyFormatException.class, () -> SigningKey.fromPem(
                "-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----\n"));
    }

    private static List<byte[]> mutations(byte[] valid, int firstByte) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < valid.length; i++) {
            out.add(Arrays.copyOf(valid, i));
            for (int b : BYTES) {
                byte[] c = valid.clone();
                c[i] = (byte) b;
                out.add(c);
            }
        }
        Random r = new Random(20261125L);
        for (int n = 0; n < 1500; n++) {
            byte[] c = new byte[1 + r.nextInt(160)];
            r.nextBytes(c);
            c[0] = (byte) firstByte;
            if (c.length > 1) {
                c[1] = (byte) Math.min(c.length - 2, 0x7f);
            }
            out.add(c);
        }
        return out;
    }
}
