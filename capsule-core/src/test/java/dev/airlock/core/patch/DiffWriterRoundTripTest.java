package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DiffWriter output parses and applies back to exactly the target bytes. */
class DiffWriterRoundTripTest {

    private static final String[] VOCABULARY = {"", "{", "}", "  return x;", "import a.b.C;", "<dependency>",
        "</dependency>", "  <version>2.14.1</version>", "  <version>2.17.1</version>", "caf\u00e9 \u2603", "\t tab",
        "-starts with minus", "+starts with plus", " starts with space", "\\ backslash", "@@ -1 +1 @@", "--- a/x",
        "+++ b/x", "trailing space ", "\r", "x\ry", "\uD83D\uDE00 emoji"};

    private static byte[] roundTrip(RepoPath path, byte[] before, byte[] after, int context)
            throws VerificationException {
        String diff = DiffWriter.unifiedDiff(path, before, after, context);
        Patch patch = UnifiedDiff.parse(diff);
        assertEquals(List.of(path), List.copyOf(patch.paths()), diff);
        return PatchApplier.apply(before, patch.files().get(0));
    }

    private static List<String> randomLines(Random r, int max) {
        int n = r.nextInt(max + 1);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(r.nextInt(4) == 0 ? "line " + r.nextInt(50) : VOCABULARY[r.nextInt(VOCABULARY.length)]);
        }
        return lines;
    }

    /** Joins lines with LF, CRLF or a random mix, with or without a final newline. */
    private static byte[] join(Random r, List<String> lines, int endings, boolean finalNewline) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            out.writeBytes(lines.get(i).getBytes(StandardCharsets.UTF_8));
            if (i < lines.size() - 1 || finalNewline) {
                boolean crlf = endings == 1 || (endings == 2 && r.nextBoolean());
                out.writeBytes(crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
            }
        }
        return out.toByteArray();
    }

    private static List<String> edit(Random r, List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        int edits = 1 + r.nextInt(8);
        for (int e = 0; e < edits; e++) {
            int op = r.nextInt(3);
            int at = out.isEmpty() ? 0 : r.nextInt(out.size() + 1);
            if (op == 0 || out.isEmpty()) {
                for (int k = r.nextInt(4); k >= 0; k--) {
                    out.add(Math.min(at, out.size()), VOCABULARY[r.nextInt(VOCABULARY.length)]);
                }
            } else if (op == 1 && at < out.size()) {
                for (int k = r.nextInt(4); k >= 0 && at < out.size(); k--) {
                    out.remove(at);
                }
            } else if (at < out.size()) {
                out.set(at, "changed " + r.nextInt(1000));
            }
        }
        return out;
    }

    @Test
    void randomEditsOnRandomTextFilesRoundTrip() throws VerificationException {
        Random r = new Random(20261125);
        RepoPath path = RepoPath.of("src/main/resources/app.properties");
        for (int i = 0; i < 1_500; i++) {
            List<String> lines = randomLines(r, 60);
            int endings = r.nextInt(3);
            byte[] before = join(r, lines, endings, r.nextBoolean());
            byte[] after = join(r, edit(r, lines), endings, r.nextBoolean());
            int context = r.nextInt(5);
            if (java.util.Arrays.equals(before, after)) {
                assertEquals("", DiffWriter.unifiedDiff(path, before, after, context));
                continue;
            }
            assertArrayEquals(after, roundTrip(path, before, after, context), "iteration " + i);
        }
    }

    @Test
    void finalNewlineChangesAloneRoundTrip() throws VerificationException {
        RepoPath path = RepoPath.of("n.txt");
        byte[][] variants = {
            "a\nb".getBytes(StandardCharsets.UTF_8), "a\nb\n".getBytes(StandardCharsets.UTF_8),
            "a\r\nb\r\n".getBytes(StandardCharsets.UTF_8), "a\r\nb".getBytes(StandardCharsets.UTF_8),
            "a\nb\r".getBytes(StandardCharsets.UTF_8), new byte[0], "\n".getBytes(StandardCharsets.UTF_8),
            "x".getBytes(StandardCharsets.UTF_8)};
        for (byte[] before : variants) {
            for (byte[] after : variants) {
                if (!java.util.Arrays.equals(before, after)) {
                    for (int context = 0; context <= 3; context++) {
                        assertArrayEquals(after, roundTrip(path, before, after, context));
                    }
                }
            }
        }
    }

    @Test
    void creationAndDeletionIncludingEmptyFiles() throws VerificationException {
        RepoPath path = RepoPath.of("dir/new file.txt");
        byte[] content = "hello\nworld".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(content, roundTrip(path, null, content, 3));
        assertNull(roundTrip(path, content, null, 3));
        assertArrayEquals(new byte[0], roundTrip(path, null, new byte[0], 3));
        assertNull(roundTrip(path, new byte[0], null, 3));
        assertEquals("diff --git a/dir/new file.txt b/dir/new file.txt\nnew file mode 100644\n",
                DiffWriter.unifiedDiff(path, null, new byte[0], 3));
    }

    @Test
    void gitStyleOutputForADependencyBump() throws VerificationException {
        String pom = UnifiedDiffTest.POM;
        String diff = DiffWriter.unifiedDiff(RepoPath.of("pom.xml"), pom.getBytes(StandardCharsets.UTF_8),
                pom.replace("2.14.1", "2.17.1").getBytes(StandardCharsets.UTF_8), 3);
        assertEquals("""
                diff --git a/pom.xml b/pom.xml
                --- a/pom.xml
                +++ b/pom.xml
                @@ -5,7 +5,7 @@
                   <dependencies>
                     <dependency>
                       <artifactId>log4j-core</artifactId>
                -      <version>2.14.1</version>
                +      <version>2.17.1</version>
                     </dependency>
                   </dependencies>
                 </project>
                """, diff);
    }

    @Test
    void namesAreQuotedLikeGit() throws VerificationException {
        RepoPath path = RepoPath.of("caf\u00e9/\"quoted\" name.txt");
        String diff = DiffWriter.unifiedDiff(path, "a\n".getBytes(StandardCharsets.UTF_8),
                "b\n".getBytes(StandardCharsets.UTF_8), 3);
        assertTrue(diff.startsWith("diff --git \"a/caf\\303\\251/\\\"quoted\\\" name.txt\" "
                + "\"b/caf\\303\\251/\\\"quoted\\\" name.txt\"\n"), diff);
        assertArrayEquals("b\n".getBytes(StandardCharsets.UTF_8), roundTrip(path, "a\n".getBytes(
                StandardCharsets.UTF_8), "b\n".getBytes(StandardCharsets.UTF_8), 3));
    }

    @Test
    void largeFilesRoundTrip() throws VerificationException {
        Random r = new Random(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            lines.add("line " + i + " " + r.nextInt(100));
        }
        List<String> edited = new ArrayList<>(lines);
        for (int k = 0; k < 200; k++) {
            edited.set(r.nextInt(edited.size()), "edited " + k);
        }
        RepoPath path = RepoPath.of("big.txt");
        byte[] before = String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8);
        byte[] after = String.join("\n", edited).concat("\n").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(after, roundTrip(path, before, after, 3));
        // Entirely different content of a few thousand lines: the worst case for the line diff.
        List<String> other = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            other.add("other " + r.nextInt(1_000));
        }
        byte[] unrelated = String.join("\n", other).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(unrelated, roundTrip(path, before, unrelated, 3));
    }

    @Test
    void onlyUtf8TextCanBeWritten() throws VerificationException {
        RepoPath path = RepoPath.of("data.bin");
        VerificationException latin1 = assertThrows(VerificationException.class, () -> DiffWriter.unifiedDiff(path,
                new byte[] {'c', 'a', 'f', (byte) 0xe9}, new byte[] {'x'}, 3));
        assertEquals(ReasonCode.SCOPE_VIOLATION, latin1.reason());
        assertEquals("cannot write a text patch for data.bin: it is not UTF-8 text", latin1.detail());
        VerificationException nul = assertThrows(VerificationException.class, () -> DiffWriter.unifiedDiff(path,
                new byte[] {'a'}, new byte[] {'a', 0, 'b'}, 3));
        assertEquals("cannot write a text patch for data.bin: it is binary (NUL byte)", nul.detail());
    }
}
