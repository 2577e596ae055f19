package dev.airlock.core.json;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ScalarValueCheck} replaced a check over the whole String; fed the same text in any chunking it must decide as
 * that check did. The old check stays here as the oracle.
 */
class ScalarValueCheckTest {

    /**
     * The rule {@code StrictJson.scan} applied to {@code getText()} before {@link ScalarValueCheck} (also the oracle of
     * {@link StrictJsonValidateEquivalenceTest}).
     */
    static boolean oracle(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return false;
            }
            if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean check(ScalarValueCheck check) {
        try {
            check.requireScalarValues();
            return true;
        } catch (VerificationException e) {
            assertEquals(ReasonCode.MALFORMED, e.reason());
            assertEquals("lone surrogate in a string", e.detail());
            return false;
        }
    }

    private static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(String.format(java.util.Locale.ROOT, "%04x ", c)));
        return sb.toString().trim();
    }

    private static final char[] ALPHABET = {'a', '\u00e9', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uffff'};

    @Test
    void everySplitOfShortTextsDecidesAsTheWholeStringCheck() {
        // All strings of length 0..5 over chars just below, at and just above each surrogate boundary.
        ScalarValueCheck check = new ScalarValueCheck();
        int cases = 0;
        int refused = 0;
        for (int len = 0; len <= 5; len++) {
            int total = (int) Math.pow(ALPHABET.length, len);
            for (int code = 0; code < total; code++) {
                char[] cs = new char[len];
                for (int i = 0, c = code; i < len; i++, c /= ALPHABET.length) {
                    cs[i] = ALPHABET[c % ALPHABET.length];
                }
                String s = new String(cs);
                boolean expected = oracle(s);
                refused += expected ? 0 : 1;
                check.reset().write(s);
                assertEquals(expected, check(check), () -> hex(s));
                // Every place one chunk could end and the next begin, through both write overloads.
                for (int cut = 0; cut <= len; cut++) {
                    check.reset().write(cs, 0, cut);
                    check.write(s, cut, len - cut);
                    final int at = cut;
                    assertEquals(expected, check(check), () -> hex(s) + " cut at " + at);
                    cases++;
                }
            }
        }
        assertEquals(1 + 9 * 2 + 81 * 3 + 729 * 4 + 6561 * 5 + 59049 * 6, cases);
        assertTrue(refused > 10_000, "refused " + refused);
    }

    @Test
    void randomTextsInRandomChunksDecideAsTheWholeStringCheck() {
        Random r = new Random(20260103L);
        ScalarValueCheck check = new ScalarValueCheck();
        int accepted = 0;
        for (int n = 0; n < 100_000; n++) {
            char[] cs = new char[r.nextInt(60)];
            for (int i = 0; i < cs.length; i++) {
                // Mostly well-formed pairs and plain chars, so both outcomes are common.
                if (r.nextInt(4) == 0 && i + 1 < cs.length) {
                    cs[i++] = (char) (0xD800 + r.nextInt(0x400));
                    cs[i] = (char) (0xDC00 + r.nextInt(0x400));
                } else {
                    cs[i] = r.nextInt(40) == 0 ? ALPHABET[r.nextInt(ALPHABET.length)] : (char) ('a' + r.nextInt(26));
                }
            }
            String s = new String(cs);
            check.reset();
            for (int at = 0; at < cs.length; ) {
                int chunk = Math.min(cs.length - at, 1 + r.nextInt(7));
                check.write(cs, at, chunk);
                at += chunk;
            }
            boolean expected = oracle(s);
            accepted += expected ? 1 : 0;
            assertEquals(expected, check(check), () -> hex(s));
        }
        assertTrue(accepted > 20_000 && accepted < 90_000, "accepted " + accepted);
    }

    @Test
    void aHighSurrogateLeftOpenAtTheEndIsRefused() {
        ScalarValueCheck check = new ScalarValueCheck();
        check.reset().write("abc\ud83d");
        VerificationException e = assertThrows(VerificationException.class, check::requireScalarValues);
        assertEquals(ReasonCode.MALFORMED, e.reason());
        check.reset().write("abc");
        assertTrue(check(check), "a reset forgets the open surrogate");
    }
}
