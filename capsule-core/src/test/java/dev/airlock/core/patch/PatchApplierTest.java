package dev.airlock.core.patch;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PatchApplierTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static FilePatch only(String patch) throws VerificationException {
        return UnifiedDiff.parse(patch).files().get(0);
    }

    @Test
    void crlfFileStaysCrlfAndMissingFinalNewlineStaysMissing() throws VerificationException {
        byte[] original = utf8("a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng");
        FilePatch patch = only("--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n b\r\n-c\r\n+C\r\n d\r\n");
        assertArrayEquals(utf8("a\r\nb\r\nC\r\nd\r\ne\r\nf\r\ng"), PatchApplier.apply(original, patch));
    }

    @Test
    void insertsAtTheTopAndAppendsAtTheEnd() throws VerificationException {
        assertArrayEquals(utf8("top\na\nb\n"), PatchApplier.apply(utf8("a\nb\n"),
                only("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+top\n")));
        assertArrayEquals(utf8("a\nb\nend\n"), PatchApplier.apply(utf8("a\nb\n"),
                only("--- a/f\n+++ b/f\n@@ -2,0 +3 @@\n+end\n")));
        assertArrayEquals(utf8("a\n"), PatchApplier.apply(utf8("a\nb\n"),
                only("--- a/f\n+++ b/f\n@@ -2 +1,0 @@\n-b\n")));
    }

    @Test
    void contentOfAnExistingEmptyFile() throws VerificationException {
        assertArrayEquals(utf8("x\n"), PatchApplier.apply(new byte[0], only("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n")));
    }

    @Test
    void severalHunksEachAtTheirExactLine() throws VerificationException {
        StringBuilder original = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            original.append("line ").append(i).append('\n');
        }
        FilePatch patch = only("--- a/f\n+++ b/f\n"
                + "@@ -2,3 +2,4 @@\n line 2\n+inserted\n line 3\n line 4\n"
                + "@@ -20,3 +21,2 @@\n line 20\n-line 21\n line 22\n");
        String result = new String(PatchApplier.apply(utf8(original.toString()), patch), StandardCharsets.UTF_8);
        String expected = original.toString().replace("line 2\n", "line 2\ninserted\n").replace("line 21\n", "");
        assertEquals(expected, result);
    }

    @Test
    void aLaterHunkThatFailsLeavesNothingApplied() throws VerificationException {
        byte[] original = utf8("a\nb\nc\nd\ne\nf\ng\nh\n");
        byte[] copy = original.clone();
        FilePatch patch = only("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+A\n@@ -7 +7 @@\n-x\n+X\n");
        VerificationException e = assertThrows(VerificationException.class, () -> PatchApplier.apply(original,
                patch));
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertEquals("patch does not apply to f at line 7: the file differs from the patch's removed line",
                e.detail());
        assertArrayEquals(copy, original);
    }

    @Test
    void aHunkMatchingElsewhereIsNotSearchedFor() throws VerificationException {
        // The same three lines appear at line 1 and line 5; the hunk says line 5 but the file has shifted by one.
        byte[] original = utf8("x\ny\nz\nfiller\nextra\nx\ny\nz\n");
        FilePatch patch = only("--- a/f\n+++ b/f\n@@ -5,3 +5,3 @@\n x\n-y\n+Y\n z\n");
        VerificationException e = assertThrows(VerificationException.class, () -> PatchApplier.apply(original,
                patch));
        assertEquals("patch does not apply to f at line 5: the file differs from the patch's context line",
                e.detail());
        assertArrayEquals(utf8("x\ny\nz\nfiller\nextra\nx\nY\nz\n"), PatchApplier.apply(original,
                only("--- a/f\n+++ b/f\n@@ -6,3 +6,3 @@\n x\n-y\n+Y\n z\n")));
    }

    @Test
    void aNoNewlineAdditionMustEndTheFile() throws VerificationException {
        FilePatch patch = only("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+A\n\\ No newline at end of file\n");
        VerificationException e = assertThrows(VerificationException.class, () -> PatchApplier.apply(utf8("a\nb\n"),
                patch));
        assertEquals("patch does not apply to f at line 2: the patch ends the file without a newline but the file "
                + "continues", e.detail());
    }

    @Test
    void nonUtf8FilesCannotBeMatchedByText() throws VerificationException {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9, '\n'};
        FilePatch patch = only("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-caf\u00e9\n+cafe\n");
        assertEquals(ReasonCode.SCOPE_VIOLATION, assertThrows(VerificationException.class,
                () -> PatchApplier.apply(latin1, patch)).reason());
    }
}
