package dev.airlock.core.json;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Utf8#isWellFormed} replaced the JDK decoder in {@link StrictJson#validate}; it must accept exactly what that
 * decoder accepts (SECURITY-TESTS A.9: invalid UTF-8 is MALFORMED, and a valid document must not start failing). The
 * decoder stays here as the oracle. Every case is placed at varying offsets inside ASCII runs, so the eight-byte
 * fast path, its jump to the first non-ASCII byte and the byte-wise tail all see it.
 */
class Utf8Test {

    /** The check {@code StrictJson.validate} used before {@link Utf8}. */
    private static boolean oracle(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Lead bytes and continuation bytes at every boundary of Unicode Table 3-7, plus ASCII edges. */
    private static final int[] BOUNDARIES = {
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
        0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFE, 0xFF,
    };

    private static int agreed;

    private static void assertAgrees(byte[] bytes) {
        boolean expected = oracle(bytes);
        assertEquals(expected, Utf8.isWellFormed(bytes),
                () -> "decoder says " + (expected ? "valid" : "invalid") + " for " + HexFormat.ofDelimiter(" ").formatHex(bytes));
        agreed++;
    }

    /** {@code seq} with {@code pre} ASCII bytes before it and {@code post} after it. */
    private static byte[] embed(byte[] seq, int pre, int post) {
        byte[] out = new byte[pre + seq.length + post];
        java.util.Arrays.fill(out, (byte) 'a');
        System.arraycopy(seq, 0, out, pre, seq.length);
        return out;
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void namedEdgesOfTable37() {
        // Each expectation stated outright, not only by the oracle, so a decoder change would show here too.
        String[] valid = {
            "", "00", "7F", "C2 80", "DF BF", "E0 A0 80", "E0 BF BF", "E1 80 80", "EC BF BF", "ED 80 80", "ED 9F BF",
            "EE 80 80", "EF BF BF" /* U+FFFF, a noncharacter, is well-formed */, "EF BB BF" /* U+FEFF mid-document */,
            "F0 90 80 80", "F0 BF BF BF", "F1 80 80 80", "F3 BF BF BF", "F4 80 80 80", "F4 8F BF BF",
        };
        String[] invalid = {
            "80", "BF", "C0 80" /* overlong NUL */, "C0 AF", "C1 BF", "C2", "C2 7F", "C2 C0", "DF", "E0 80 80",
            "E0 9F BF" /* overlong */, "E0 A0", "E1 80", "E1 7F 80", "E1 80 C0", "ED A0 80" /* U+D800 */,
            "ED BF BF" /* U+DFFF */, "ED A0 80 ED B0 80" /* CESU-8 pair */, "F0 80 80 80", "F0 8F BF BF" /* overlong */,
            "F0 90 80", "F0 90", "F4 90 80 80" /* U+110000 */, "F4 BF BF BF", "F5 80 80 80", "F7 BF BF BF",
            "F8 88 80 80 80", "FC 84 80 80 80 80", "FE", "FF", "80 80 80 80 80 80 80 80",
        };
        HexFormat hex = HexFormat.ofDelimiter(" ");
        for (String v : valid) {
            for (int pre = 0; pre <= 9; pre++) {
                byte[] b = embed(hex.parseHex(v), pre, 9 - pre);
                assertTrue(Utf8.isWellFormed(b), v + " after " + pre + " ASCII bytes");
                assertAgrees(b);
            }
        }
        for (String v : invalid) {
            for (int pre = 0; pre <= 9; pre++) {
                for (int post : new int[] {0, 1, 8}) {
                    byte[] b = embed(hex.parseHex(v), pre, post);
                    assertFalse(Utf8.isWellFormed(b), v + " after " + pre + " ASCII bytes, " + post + " after");
                    assertAgrees(b);
                }
            }
        }
    }

    @Test
    void everyOneAndTwoByteInputAgrees() {
        for (int a = 0; a < 256; a++) {
            assertAgrees(bytes(a));
            assertAgrees(embed(bytes(a), 8, 0));
            for (int b = 0; b < 256; b++) {
                byte[] seq = bytes(a, b);
                assertAgrees(seq);
                assertAgrees(embed(seq, (a + b) % 11, (a ^ b) % 11));
            }
        }
    }

    /** Past the second byte only "is it 80..BF" matters, so the later bytes take the values around that range. */
    private static final int[] TAILS = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};

    @Test
    void everyLeadAndSecondByteWithBoundaryTailsAgrees() {
        int before = agreed;
        int i = 0;
        for (int lead = 0x80; lead < 256; lead++) {
            for (int second = 0; second < 256; second++) {
                for (int third : TAILS) {
                    assertAgrees(embed(bytes(lead, second, third), i % 11, (i / 11) % 3));
                    i++;
                    if (lead >= 0xF0 && lead <= 0xF8) {
                        for (int fourth : TAILS) {
                            assertAgrees(embed(bytes(lead, second, third, fourth), i % 13, (i / 13) % 3));
                            i++;
                        }
                    }
                }
            }
        }
        assertEquals(128 * 256 * 8 + 9 * 256 * 8 * 8, agreed - before);
    }

    @Test
    void validSequencesCutShortAtTheEndOrBeforeAsciiAreRefused() {
        int[] codePoints = {0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0xE9, 0x20AC, 0x1F600};
        for (int cp : codePoints) {
            byte[] full = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            for (int cut = 1; cut < full.length; cut++) {
                byte[] head = java.util.Arrays.copyOf(full, cut);
                for (int pre = 0; pre <= 9; pre++) {
                    byte[] atEnd = embed(head, pre, 0);
                    assertFalse(Utf8.isWellFormed(atEnd));
                    assertAgrees(atEnd);
                    byte[] beforeAscii = embed(head, pre, 3);
                    assertFalse(Utf8.isWellFormed(beforeAscii));
                    assertAgrees(beforeAscii);
                }
            }
        }
    }

    @Test
    void randomBytesAgree() {
        Random r = new Random(20260101L);
        for (int c = 0; c < 200_000; c++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // Uniform bytes are refused after a byte or two; mostly ASCII with boundary bytes mixed in reaches the
                // multi-byte rules often, and long ASCII stretches exercise the eight-byte path.
                int kind = r.nextInt(8);
                b[i] = (byte) (kind < 4 ? r.nextInt(0x80) : kind < 7 ? BOUNDARIES[r.nextInt(BOUNDARIES.length)] : r.nextInt(256));
            }
            assertAgrees(b);
        }
    }

    @Test
    void randomValidTextAndSingleByteMutationsOfItAgree() {
        Random r = new Random(20260102L);
        int accepted = 0;
        for (int c = 0; c < 200_000; c++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(20);
            for (int i = 0; i < n; i++) {
                int cp = switch (r.nextInt(5)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> 0x80 + r.nextInt(0x800 - 0x80);
                    case 2 -> 0x800 + r.nextInt(0x10000 - 0x800);
                    case 3 -> 0x10000 + r.nextInt(0x110000 - 0x10000);
                    default -> 'a' + r.nextInt(26);
                };
                if (Character.isSurrogate((char) cp) && cp < 0x10000) {
                    cp = 0xFFFD;
                }
                sb.appendCodePoint(cp);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertTrue(Utf8.isWellFormed(b), sb.toString());
            assertAgrees(b);
            accepted++;
            if (b.length > 0) {
                byte[] m = b.clone();
                int at = r.nextInt(m.length);
                m[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : BOUNDARIES[r.nextInt(BOUNDARIES.length)]);
                assertAgrees(m);
                // Cut anywhere: often mid-sequence.
                assertAgrees(java.util.Arrays.copyOf(b, r.nextInt(b.length)));
            }
        }
        assertEquals(200_000, accepted);
    }

    @Test
    void aLongAsciiRunWithOneBadByteAnywhereIsRefused() {
        byte[] b = new byte[300];
        java.util.Arrays.fill(b, (byte) 'x');
        assertTrue(Utf8.isWellFormed(b));
        for (int at = 0; at < b.length; at++) {
            for (int bad : new int[] {0x80, 0xC0, 0xFF, 0xE0}) {
                byte[] m = b.clone();
                m[at] = (byte) bad;
                assertFalse(Utf8.isWellFormed(m), "bad byte at " + at);
                assertAgrees(m);
            }
        }
    }
}
