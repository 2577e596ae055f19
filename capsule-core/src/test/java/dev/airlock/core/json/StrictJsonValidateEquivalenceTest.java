package dev.airlock.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StrictJson#validate} lost its CharsetDecoder pass and its {@code getText()} per string (see {@link Utf8} and
 * {@link ScalarValueCheck}); every input must still get the same verdict — accepted, or refused with the same
 * ReasonCode and detail. The validate of before stays here, verbatim, as the oracle.
 */
class StrictJsonValidateEquivalenceTest {

    private static final StrictJson.Limits LIMITS = StrictJson.SIGNED;

    /** {@code StrictJson.validate} as it was, with the same factory configuration. */
    static final class Before {
        private static final JsonFactory FACTORY = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(256)
                        .maxNumberLength(24)
                        .build())
                .build();

        static void validate(byte[] bytes, StrictJson.Limits limits) throws VerificationException {
            if (bytes == null) {
                throw new VerificationException(ReasonCode.MALFORMED, "no document");
            }
            if (bytes.length > limits.maxBytes()) {
                throw new VerificationException(ReasonCode.TOO_LARGE,
                        String.format(Locale.ROOT, "document is %d bytes, limit %d", bytes.length, limits.maxBytes()));
            }
            if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
                throw new VerificationException(ReasonCode.MALFORMED, "byte order mark before the document");
            }
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new VerificationException(ReasonCode.MALFORMED, "not valid UTF-8");
            }
            try (JsonParser p = FACTORY.createParser(bytes)) {
                scan(p, limits);
            } catch (StreamConstraintsException e) {
                throw new VerificationException(ReasonCode.TOO_LARGE, "document exceeds parser limits: " + StrictJson.firstLine(e));
            } catch (JsonProcessingException e) {
                throw new VerificationException(ReasonCode.MALFORMED, "invalid JSON: " + StrictJson.firstLine(e));
            } catch (IOException e) {
                throw new VerificationException(ReasonCode.MALFORMED, "unreadable JSON: " + StrictJson.firstLine(e));
            }
        }

        private static void scan(JsonParser p, StrictJson.Limits limits) throws IOException, VerificationException {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new VerificationException(ReasonCode.MALFORMED, "document is not a JSON object");
            }
            int depth = 0;
            long elements = 0;
            JsonToken t = first;
            while (t != null) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        depth++;
                        if (depth > limits.maxDepth()) {
                            throw new VerificationException(ReasonCode.TOO_LARGE,
                                    String.format(Locale.ROOT, "nesting deeper than %d", limits.maxDepth()));
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME -> requireScalarValues(p.currentName());
                    case VALUE_STRING -> requireScalarValues(p.getText());
                    case VALUE_NUMBER_FLOAT -> throw new VerificationException(ReasonCode.MALFORMED,
                            "floating-point number at " + p.getParsingContext().pathAsPointer()
                                    + " (signed documents carry decimals as strings)");
                    default -> {
                    }
                }
                if (t.isScalarValue() || t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (++elements > limits.maxElements()) {
                        throw new VerificationException(ReasonCode.TOO_LARGE,
                                String.format(Locale.ROOT, "more than %d JSON values", limits.maxElements()));
                    }
                }
                if (depth == 0) {
                    break;
                }
                t = p.nextToken();
            }
            if (p.nextToken() != null) {
                throw new VerificationException(ReasonCode.MALFORMED, "trailing data after the document");
            }
        }

        private static void requireScalarValues(String s) throws VerificationException {
            if (!ScalarValueCheckTest.oracle(s)) {
                throw new VerificationException(ReasonCode.MALFORMED, "lone surrogate in a string");
            }
        }
    }

    private interface Validator {
        void validate(byte[] bytes, StrictJson.Limits limits) throws VerificationException;
    }

    private static String verdict(Validator v, byte[] doc, StrictJson.Limits limits) {
        try {
            v.validate(doc, limits);
            return "accepted";
        } catch (VerificationException e) {
            return e.reason() + ": " + e.detail();
        }
    }

    /** Asserts the same verdict before and after, and returns it. */
    private static String assertSameVerdict(byte[] doc, StrictJson.Limits limits) {
        String before = verdict(Before::validate, doc, limits);
        String after = verdict(StrictJson::validate, doc, limits);
        assertEquals(before, after, () -> "for " + abbreviate(doc));
        return after;
    }

    private static String assertSameVerdict(byte[] doc) {
        return assertSameVerdict(doc, LIMITS);
    }

    private static String abbreviate(byte[] doc) {
        String s = new String(doc, StandardCharsets.ISO_8859_1);
        return s.length() > 300 ? s.substring(0, 300) + "… (" + doc.length + " bytes)" : s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Documents the mutations start from: an envelope, a bit of everything, non-ASCII names and values. */
    private static List<byte[]> seeds() {
        byte[] payload = new byte[300];
        new Random(7).nextBytes(payload);
        return List.of(
                utf8("{\"payloadType\":\"application/vnd.airlock.capsule+json\",\"payload\":\""
                        + Base64.getEncoder().encodeToString(payload) + "\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"AAAA\"}]}"),
                utf8("{\"a\":[1,-2,{\"b\":\"c\\u00e9\\ud83d\\ude00\\\"\"}],\"n\":12345,\"t\":true,\"f\":false,\"z\":null,"
                        + "\"s\":\"x\\ny\\t\\\\\",\"e\":\"\",\"o\":{}}"),
                utf8("{\"k\u00e9\uD83D\uDE00\":\"v\u20ac\uD83D\uDE00\",\"\\ud83d\\ude00\":[\"\\uDBFF\\uDFFF\"]}"),
                utf8("{\"patch\":\"--- a/f\\n+++ b/f\\n@@ -1 +1 @@\\n-x\\ty\\n+\\\"q\\\\\\/\\b\\f\\r\\n\",\"n\":1}"),
                utf8("{}"));
    }

    /** Pieces spliced into the seeds: surrogate escapes, raw multi-byte UTF-8 (good and bad), structure, forbidden forms. */
    private static final byte[][] PIECES = {
        utf8("\\ud800"), utf8("\\udc00"), utf8("\\uDBFF"), utf8("\\ud83d\\ude00"), utf8("\\ud83d"), utf8("\\u0000"),
        utf8("\\"), utf8("\""), utf8("{"), utf8("}"), utf8("["), utf8("]"), utf8(","), utf8(":"), utf8("1.5"), utf8("1e3"),
        utf8("NaN"), utf8("//"), utf8("/*x*/"), utf8("00"), utf8("-"), utf8("\"a\":1"), utf8("\"a\""), utf8(" "),
        utf8("\u00e9"), utf8("\uD83D\uDE00"), {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0x80},
        {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {0x01}, {0x0A}, {(byte) 0xFF}, utf8("\\n"), utf8("\\q"), utf8("u"),
    };

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] doc = seed;
        for (int m = 1 + r.nextInt(3); m > 0; m--) {
            int at = r.nextInt(doc.length + 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(doc, 0, at);
            switch (r.nextInt(3)) {
                case 0 -> { // insert
                    out.writeBytes(PIECES[r.nextInt(PIECES.length)]);
                    out.write(doc, at, doc.length - at);
                }
                case 1 -> { // replace
                    out.writeBytes(PIECES[r.nextInt(PIECES.length)]);
                    int skip = Math.min(doc.length - at, 1 + r.nextInt(3));
                    out.write(doc, at + skip, doc.length - at - skip);
                }
                default -> { // delete
                    int skip = Math.min(doc.length - at, 1 + r.nextInt(3));
                    out.write(doc, at + skip, doc.length - at - skip);
                }
            }
            doc = out.toByteArray();
        }
        return doc;
    }

    @Test
    void mutatedDocumentsGetTheVerdictTheyGotBefore() {
        Random r = new Random(20260104L);
        List<byte[]> seeds = seeds();
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (byte[] seed : seeds) {
            assertEquals("accepted", assertSameVerdict(seed), new String(seed, StandardCharsets.UTF_8));
        }
        for (int n = 0; n < 40_000; n++) {
            String v = assertSameVerdict(mutate(seeds.get(r.nextInt(seeds.size())), r));
            outcomes.merge(v.startsWith("MALFORMED: invalid JSON") ? "MALFORMED: invalid JSON" : v, 1, Integer::sum);
        }
        // The mutations reach every rule, not only the parser's syntax errors.
        for (String expected : new String[] {"accepted", "MALFORMED: not valid UTF-8", "MALFORMED: lone surrogate in a string",
                "MALFORMED: invalid JSON", "MALFORMED: trailing data after the document", "MALFORMED: document is not a JSON object"}) {
            assertTrue(outcomes.getOrDefault(expected, 0) > 100, () -> expected + " in " + outcomes);
        }
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("MALFORMED: floating-point number")), outcomes::toString);
    }

    /** A value of {@code n} chars built from {@code unit}, with {@code insert} spliced in at char {@code at}. */
    private static String longValue(int n, String unit, int at, String insert) {
        StringBuilder sb = new StringBuilder(n + insert.length());
        while (sb.length() < n) {
            sb.append(unit);
        }
        sb.setLength(n);
        sb.insert(at, insert);
        return sb.toString();
    }

    /**
     * Places in a value of {@code n} chars: the start, the middle, the end, and within {@code spread} of each place
     * one of Jackson's 64K-char segments could end.
     */
    private static List<Integer> positions(int n, int spread) {
        List<Integer> positions = new ArrayList<>(List.of(0, 1, n / 2, n - 1, n));
        for (int k = 1; k * 65_536 < n; k++) {
            for (int d = -spread; d <= spread; d++) {
                positions.add(k * 65_536 + d);
            }
        }
        return positions;
    }

    @Test
    void loneSurrogatesInStringsLongerThanOneJacksonSegmentAreStillMalformed() {
        // Jackson's TextBuffer holds at most 64K chars per segment; a 200K-char value spans several, and
        // getText(Writer) hands them over one by one. The surrogate sits at the start, on and around the places a
        // segment could end, and at the very end.
        int n = 200_000;
        List<Integer> positions = positions(n, 2);
        for (String lone : new String[] {"\\ud800", "\\udc00", "\\uDBFF", "\\ud83d\\ud83d", "\\ude00\\ud83d"}) {
            for (int at : positions) {
                byte[] doc = utf8("{\"payload\":\"" + longValue(n, "QUJD", at, lone) + "\",\"x\":1}");
                assertEquals("MALFORMED: lone surrogate in a string", assertSameVerdict(doc), lone + " at " + at);
            }
        }
        // The same as a field name (Jackson limits names to 50,000 chars). Jackson 2.21 refuses lone surrogate escapes
        // in names itself ("Broken surrogate pair in field name", "Unexpected low surrogate in field name") before
        // scan sees the name; MALFORMED either way, and the same detail as before.
        for (String lone : new String[] {"\\ud800", "\\udc00", "\\ud83d\\ud83d"}) {
            for (int at : new int[] {0, 24_000, 49_000}) {
                byte[] doc = utf8("{\"" + longValue(49_000, "n", at, lone) + "\":\"v\"}");
                String v = assertSameVerdict(doc);
                assertTrue(v.startsWith("MALFORMED: "), lone + " in a name at " + at + ": " + v);
            }
        }
        // A name long enough to span segments never reaches scan.
        byte[] overlongName = utf8("{\"" + "n".repeat(60_000) + "\":\"v\"}");
        String v = assertSameVerdict(overlongName);
        assertTrue(v.startsWith("TOO_LARGE: document exceeds parser limits: Name length"), v);
    }

    @Test
    void wellFormedPairsAcrossSegmentBoundariesAreAccepted() {
        // A value made only of pairs, once starting on an even and once on an odd char: whatever the segment sizes,
        // in one of the two some pair straddles each boundary. Escaped and raw UTF-8 reach the TextBuffer alike.
        for (String prefix : new String[] {"", "a"}) {
            for (String pair : new String[] {"\\ud83d\\ude00", "\uD83D\uDE00", "\\uDBFF\\uDFFF"}) {
                byte[] doc = utf8("{\"v\":\"" + prefix + pair.repeat(100_000) + "\"}");
                assertEquals("accepted", assertSameVerdict(doc), prefix + pair);
                if (!pair.startsWith("\\")) {
                    continue; // half a raw pair is not UTF-8 at all; Utf8Test covers that
                }
                // and one pair broken near the end of the value
                String broken = prefix + pair.repeat(99_999) + pair.substring(0, pair.length() / 2) + "x";
                assertEquals("MALFORMED: lone surrogate in a string", assertSameVerdict(utf8("{\"v\":\"" + broken + "\"}")));
            }
        }
    }

    @Test
    void longStringsWithoutAnyEscapeAreSkippedYetStillChecked() {
        // No backslash anywhere: validate skips the strings instead of building them. What the parser refuses inside
        // a string must still be refused, with the same detail: control characters, at the start, at the places a
        // segment could end, and at the very end of a 200K-char value.
        int n = 200_000;
        List<Integer> positions = positions(n, 1);
        assertEquals("accepted", assertSameVerdict(utf8("{\"payload\":\"" + longValue(n, "QUJD", 0, "") + "\"}")));
        for (String bad : new String[] {"\u0001", "\n", "\t", "\u001f"}) {
            for (int at : positions) {
                byte[] doc = utf8("{\"payload\":\"" + longValue(n, "QUJD", at, bad) + "\",\"x\":1}");
                String v = assertSameVerdict(doc);
                assertTrue(v.startsWith("MALFORMED: invalid JSON"), (int) bad.charAt(0) + " at " + at + ": " + v);
            }
        }
        // and a backslash-u anywhere in the document puts every string back on the checked path
        byte[] lone = utf8("{\"payload\":\"" + longValue(n, "QUJD", 70_000, "\\ud800") + "\",\"x\":\"\\n\"}");
        assertEquals("MALFORMED: lone surrogate in a string", assertSameVerdict(lone));
        byte[] loneInName = utf8("{\"payload\":\"" + longValue(n, "QUJD", 0, "") + "\",\"\\udc00\":\"\\n\"}");
        assertEquals("MALFORMED: invalid JSON: Unexpected low surrogate in field name: 0xdc00",
                assertSameVerdict(loneInName)); // Jackson's own check on names
    }

    @Test
    void longStringsWithEscapesButNoUnicodeEscapeAreSkippedYetStillChecked() {
        // A patch inside a capsule: every line ends in \n, quotes and backslashes are escaped, but nothing is a
        // backslash-u escape, so no string can hold a surrogate. validate skips these strings too; Jackson's skipping
        // still decodes every escape, so an unknown escape, a cut-off one and a control character are refused with
        // the detail they got before, at the start, around the places a segment could end, and at the very end.
        int n = 200_000;
        List<Integer> positions = positions(n, 1);
        String unit = "+line\\tof a \\\"patch\\\" in C:\\\\x\\/\\b\\f\\r\\n";
        String value = unit.repeat(n / unit.length());
        assertEquals("accepted", assertSameVerdict(utf8("{\"patch\":\"" + value + "\"}")));
        for (String bad : new String[] {"\u0001", "\n", "\u001f", "\\q", "\\x", "\\'", "\\U0041", "\\\u00e9"}) {
            for (int at : positions) {
                byte[] doc = utf8("{\"patch\":\"" + spliceOutsideEscapes(value, at, bad) + "\",\"x\":1}");
                String v = assertSameVerdict(doc);
                assertTrue(v.startsWith("MALFORMED: invalid JSON"), bad + " at " + at + ": " + v);
            }
        }
        // an escaped backslash followed by a u is not an escape, but takes the checked path, and is accepted
        assertEquals("accepted", assertSameVerdict(utf8("{\"patch\":\"" + spliceOutsideEscapes(value, 99_000, "\\\\u0041")
                + "\"}")));
    }

    /** {@code insert} spliced into {@code value} at {@code at}, or just before it if {@code at} is inside an escape. */
    private static String spliceOutsideEscapes(String value, int at, String insert) {
        int cut = Math.min(at, value.length());
        while (cut > 0 && value.charAt(cut - 1) == '\\') {
            cut--;
        }
        return value.substring(0, cut) + insert + value.substring(cut);
    }

    @Test
    void jacksonsStringLengthLimitStillMakesAValueTooLarge() {
        // Jackson refuses strings over 20,000,000 chars; getText() enforced that while joining the segments, so with
        // limits that allow such a document (EvidenceExport allows 512 MiB) validate must still say TOO_LARGE.
        StrictJson.Limits big = new StrictJson.Limits(64L * 1024 * 1024, 32, 10_000);
        int max = StreamReadConstraints.DEFAULT_MAX_STRING_LEN;
        for (int len : new int[] {max - 1, max, max + 1, max + 2, max + 65_537}) {
            byte[] doc = new byte[len + 9];
            System.arraycopy(utf8("{\"a\":\""), 0, doc, 0, 6);
            java.util.Arrays.fill(doc, 6, 6 + len, (byte) 'A');
            System.arraycopy(utf8("\"}"), 0, doc, 6 + len, 2);
            doc = java.util.Arrays.copyOf(doc, 6 + len + 2);
            String v = assertSameVerdict(doc, big);
            assertEquals(len <= max, v.equals("accepted"), v);
            assertTrue(len <= max || v.startsWith("TOO_LARGE: document exceeds parser limits: String value length"), v);
        }
    }

    @Test
    void documentsOnTheUtf8FastPathBoundariesAgree() {
        // Non-ASCII bytes at every offset modulo eight in a document, valid and not.
        byte[][] inserts = {utf8("\u00e9"), utf8("\u20ac"), utf8("\uD83D\uDE00"), {(byte) 0xC3}, {(byte) 0xED, (byte) 0xB0, (byte) 0x80},
            {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}};
        for (byte[] insert : inserts) {
            for (int pad = 0; pad < 20; pad++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(utf8("{\"s\":\"" + "a".repeat(pad)));
                out.writeBytes(insert);
                out.writeBytes(utf8("\"}"));
                assertSameVerdict(out.toByteArray());
            }
        }
        assertEquals("MALFORMED: not valid UTF-8",
                assertSameVerdict(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'}),
                "an overlong NUL, which Jackson itself would read as U+0000");
    }
}
