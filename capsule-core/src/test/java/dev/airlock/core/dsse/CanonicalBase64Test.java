package dev.airlock.core.dsse;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Envelope#decodeCanonical} no longer re-encodes to compare; it checks the padded length and the unused bits of
 * the last character instead. For every string it must decide as before — the same bytes, or the same reason and
 * detail. The re-encoding check stays here as the oracle.
 */
class CanonicalBase64Test {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** {@code Envelope.decodeCanonical} as it was. */
    private static byte[] before(String b64, String what) throws VerificationException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not base64");
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(b64)) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not canonical padded base64");
        }
        return bytes;
    }

    private interface Decoder {
        byte[] decode(String b64, String what) throws VerificationException;
    }

    private static String outcome(Decoder d, String b64) {
        try {
            return "accepted " + Arrays.toString(d.decode(b64, "payload"));
        } catch (VerificationException e) {
            return e.reason() + ": " + e.detail();
        }
    }

    private final Map<String, Integer> seen = new TreeMap<>();

    private String assertSameOutcome(String b64) {
        String expected = outcome(CanonicalBase64Test::before, b64);
        String actual = outcome(Envelope::decodeCanonical, b64);
        assertEquals(expected, actual, () -> "for \"" + b64 + "\"");
        seen.merge(actual.startsWith("accepted") ? "accepted" : actual, 1, Integer::sum);
        return actual;
    }

    private static String replaceAt(String s, int i, char c) {
        return s.substring(0, i) + c + s.substring(i + 1);
    }

    private static String insertAt(String s, int i, String t) {
        return s.substring(0, i) + t + s.substring(i);
    }

    @Test
    void canonicalEncodingsOfRandomBytesDecodeToThoseBytes() throws VerificationException {
        Random r = new Random(20260105L);
        for (int len = 0; len <= 50; len++) {
            for (int k = 0; k < 200; k++) {
                byte[] bytes = new byte[len];
                r.nextBytes(bytes);
                String b64 = Base64.getEncoder().encodeToString(bytes);
                assertArrayEquals(bytes, Envelope.decodeCanonical(b64, "payload"), b64);
                assertSameOutcome(b64);
            }
        }
        assertEquals(Map.of("accepted", 51 * 200), seen);
    }

    @Test
    void mutatedEncodingsAreDecidedAsBefore() {
        Random r = new Random(20260106L);
        for (int len = 0; len <= 50; len++) {
            for (int k = 0; k < 40; k++) {
                byte[] bytes = new byte[len];
                r.nextBytes(bytes);
                String b64 = Base64.getEncoder().encodeToString(bytes);
                int pads = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
                int data = b64.length() - pads;

                // Every value of the unused low bits of the last data character: only all-zero is canonical.
                if (pads > 0) {
                    int last = ALPHABET.indexOf(b64.charAt(data - 1));
                    int unusedMask = pads == 2 ? 0x0F : 0x03;
                    for (int bits = 0; bits <= unusedMask; bits++) {
                        String v = assertSameOutcome(replaceAt(b64, data - 1, ALPHABET.charAt((last & ~unusedMask) | bits)));
                        assertEquals(bits == 0, v.startsWith("accepted"), v);
                    }
                }
                // Padding dropped (one or all), added, doubled.
                for (int drop = 1; drop <= pads; drop++) {
                    assertSameOutcome(b64.substring(0, b64.length() - drop));
                }
                for (String extra : List.of("=", "==", "===", "====")) {
                    assertSameOutcome(b64 + extra);
                    assertSameOutcome(b64.substring(0, data) + extra);
                }
                // One character added at the end or anywhere, one removed, one replaced — from the alphabet, the URL-safe
                // alphabet, whitespace and beyond Latin-1.
                for (String c : List.of("A", "B", "Q", "g", "w", "/", "+", "-", "_", " ", "\n", "\r", "\t", "=", "\u00c1", "\u0141")) {
                    assertSameOutcome(b64 + c);
                    assertSameOutcome(insertAt(b64, r.nextInt(b64.length() + 1), c));
                    if (!b64.isEmpty()) {
                        assertSameOutcome(replaceAt(b64, r.nextInt(b64.length()), c.charAt(0)));
                    }
                }
                if (!b64.isEmpty()) {
                    int at = r.nextInt(b64.length());
                    assertSameOutcome(b64.substring(0, at) + b64.substring(at + 1));
                    assertSameOutcome(b64.substring(0, b64.length() - 1));
                }
            }
        }
        assertTrue(seen.getOrDefault("accepted", 0) > 2_000, seen::toString);
        assertTrue(seen.getOrDefault("MALFORMED: payload is not canonical padded base64", 0) > 2_000, seen::toString);
        assertTrue(seen.getOrDefault("MALFORMED: payload is not base64", 0) > 2_000, seen::toString);
    }

    @Test
    void shortStringsOverTheAlphabetAndPaddingAreDecidedAsBefore() {
        // Random strings of 0..12 characters: padding in every position, every length modulo four.
        Random r = new Random(20260107L);
        String chars = ALPHABET + "====AQgw";
        for (int n = 0; n < 200_000; n++) {
            char[] cs = new char[r.nextInt(13)];
            for (int i = 0; i < cs.length; i++) {
                cs[i] = chars.charAt(r.nextInt(chars.length()));
            }
            assertSameOutcome(new String(cs));
        }
        assertTrue(seen.getOrDefault("accepted", 0) > 10_000, seen::toString);
        assertTrue(seen.getOrDefault("MALFORMED: payload is not canonical padded base64", 0) > 10_000, seen::toString);
    }

    @Test
    void anEnvelopeAndASignatureRefuseNonCanonicalBase64() {
        List<Envelope.Signature> sigs = List.of(new Envelope.Signature("k", "AAAA"));
        assertEquals("payload is not canonical padded base64",
                assertThrows(IllegalArgumentException.class, () -> new Envelope("x", "QR==", sigs)).getMessage());
        assertEquals("payload is not canonical padded base64",
                assertThrows(IllegalArgumentException.class, () -> new Envelope("x", "QQ", sigs)).getMessage());
        assertEquals("payload is not base64",
                assertThrows(IllegalArgumentException.class, () -> new Envelope("x", "QQ-=", sigs)).getMessage());
        assertArrayEquals(new byte[] {'A'}, new Envelope("x", "QQ==", sigs).payloadBytes());
        VerificationException e = assertThrows(VerificationException.class,
                () -> new Envelope.Signature("k", "AAB=").sigBytes());
        assertEquals(ReasonCode.MALFORMED, e.reason());
        assertEquals("signature is not canonical padded base64", e.detail());
    }
}
