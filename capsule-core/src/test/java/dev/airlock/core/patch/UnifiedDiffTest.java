package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the parser accepts, and what it makes of it. */
class UnifiedDiffTest {

    static final String POM = """
            <project>
              <groupId>com.example</groupId>
              <artifactId>payments</artifactId>
              <version>1.0</version>
              <dependencies>
                <dependency>
                  <artifactId>log4j-core</artifactId>
                  <version>2.14.1</version>
                </dependency>
              </dependencies>
            </project>
            """;

    static final String BUMP_HUNK = """
            @@ -5,6 +5,6 @@ <project>
               <dependencies>
                 <dependency>
                   <artifactId>log4j-core</artifactId>
            -      <version>2.14.1</version>
            +      <version>2.17.1</version>
                 </dependency>
               </dependencies>
            """;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RepoPath p(String s) throws VerificationException {
        return RepoPath.of(s);
    }

    @Test
    void gitDiffOfAModification() throws VerificationException {
        Patch patch = UnifiedDiff.parse("diff --git a/pom.xml b/pom.xml\nindex 3b18e51..a7c1f2d 100644\n"
                + "--- a/pom.xml\n+++ b/pom.xml\n" + BUMP_HUNK);
        FilePatch file = patch.files().get(0);
        assertEquals(p("pom.xml"), file.oldPath());
        assertEquals(p("pom.xml"), file.newPath());
        Hunk h = file.hunks().get(0);
        assertEquals(List.of(5, 6, 5, 6), List.of(h.oldStart(), h.oldCount(), h.newStart(), h.newCount()));
        assertEquals(new Hunk.Line(Hunk.Kind.REMOVE, "      <version>2.14.1</version>", false), h.lines().get(3));
        assertEquals(POM.replace("2.14.1", "2.17.1"),
                new String(PatchApplier.apply(utf8(POM), file), StandardCharsets.UTF_8));
    }

    @Test
    void plainDiffWithTimestampsAndWithoutPrefixes() throws VerificationException {
        String withTimestamps = "--- a/pom.xml\t2026-11-25 10:00:00.000000000 +0000\n"
                + "+++ b/pom.xml\t2026-11-25 10:05:00.000000000 +0000\n" + BUMP_HUNK;
        String noPrefix = "--- pom.xml\n+++ pom.xml\n" + BUMP_HUNK;
        String diffR = "diff -ru a/pom.xml b/pom.xml\n" + withTimestamps;
        for (String text : List.of(withTimestamps, noPrefix, diffR)) {
            Patch patch = UnifiedDiff.parse(text);
            assertEquals(List.of(p("pom.xml")), List.copyOf(patch.paths()));
            assertEquals(POM.replace("2.14.1", "2.17.1"),
                    new String(PatchApplier.apply(utf8(POM), patch.files().get(0)), StandardCharsets.UTF_8));
        }
    }

    @Test
    void omittedCountsMeanOne() throws VerificationException {
        Patch patch = UnifiedDiff.parse("--- a/v.txt\n+++ b/v.txt\n@@ -2 +2 @@\n-b\n+B\n");
        Hunk h = patch.files().get(0).hunks().get(0);
        assertEquals(1, h.oldCount());
        assertEquals(1, h.newCount());
        assertEquals("a\nB\nc\n", new String(PatchApplier.apply(utf8("a\nb\nc\n"), patch.files().get(0)),
                StandardCharsets.UTF_8));
    }

    @Test
    void creationAndDeletion() throws VerificationException {
        Patch patch = UnifiedDiff.parse("""
                diff --git a/new.txt b/new.txt
                new file mode 100644
                index 0000000..a7c1f2d
                --- /dev/null
                +++ b/new.txt
                @@ -0,0 +1,2 @@
                +hello
                +world
                diff --git a/old.txt b/old.txt
                deleted file mode 100644
                index a7c1f2d..0000000
                --- a/old.txt
                +++ /dev/null
                @@ -1 +0,0 @@
                -bye
                """);
        FilePatch created = patch.file(p("new.txt")).orElseThrow();
        FilePatch deleted = patch.file(p("old.txt")).orElseThrow();
        assertTrue(created.isCreation());
        assertNull(created.oldPath());
        assertTrue(deleted.isDeletion());
        assertNull(deleted.newPath());
        assertEquals(List.of(p("new.txt"), p("old.txt")), List.copyOf(patch.paths()));
        assertArrayEquals(utf8("hello\nworld\n"), PatchApplier.apply(null, created));
        assertNull(PatchApplier.apply(utf8("bye\n"), deleted));
    }

    @Test
    void emptyFileCreationAndDeletionHaveNoHunks() throws VerificationException {
        Patch patch = UnifiedDiff.parse("""
                diff --git a/empty.txt b/empty.txt
                new file mode 100644
                index 0000000..e69de29
                diff --git a/gone.txt b/gone.txt
                deleted file mode 100644
                index e69de29..0000000
                """);
        FilePatch created = patch.files().get(0);
        FilePatch deleted = patch.files().get(1);
        assertTrue(created.isCreation() && created.hunks().isEmpty());
        assertTrue(deleted.isDeletion() && deleted.hunks().isEmpty());
        assertArrayEquals(new byte[0], PatchApplier.apply(null, created));
        assertNull(PatchApplier.apply(new byte[0], deleted));
    }

    @Test
    void gitQuotedAndSpacedNames() throws VerificationException {
        Patch patch = UnifiedDiff.parse("""
                diff --git "a/caf\\303\\251 \\"menu\\".txt" "b/caf\\303\\251 \\"menu\\".txt"
                index 3b18e51..a7c1f2d 100644
                --- "a/caf\\303\\251 \\"menu\\".txt"\t
                +++ "b/caf\\303\\251 \\"menu\\".txt"\t
                @@ -1 +1 @@
                -a
                +b
                diff --git a/sp ace/x y.txt b/sp ace/x y.txt
                index 3b18e51..a7c1f2d 100644
                --- a/sp ace/x y.txt\t
                +++ b/sp ace/x y.txt\t
                @@ -1 +1 @@
                -a
                +b
                """);
        assertEquals(List.of(p("caf\u00e9 \"menu\".txt"), p("sp ace/x y.txt")), List.copyOf(patch.paths()));
    }

    @Test
    void noNewlineMarkersOnEitherSide() throws VerificationException {
        Patch addNewline = UnifiedDiff.parse("--- a/n.txt\n+++ b/n.txt\n@@ -1,2 +1,2 @@\n a\n-b\n"
                + "\\ No newline at end of file\n+b\n");
        assertArrayEquals(utf8("a\nb\n"), PatchApplier.apply(utf8("a\nb"), addNewline.files().get(0)));
        Patch dropNewline = UnifiedDiff.parse("--- a/n.txt\n+++ b/n.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n"
                + "\\ No newline at end of file\n");
        assertArrayEquals(utf8("a\nb"), PatchApplier.apply(utf8("a\nb\n"), dropNewline.files().get(0)));
        Patch contextWithout = UnifiedDiff.parse("--- a/n.txt\n+++ b/n.txt\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n"
                + "\\ No newline at end of file\n");
        assertArrayEquals(utf8("A\nb"), PatchApplier.apply(utf8("a\nb"), contextWithout.files().get(0)));
    }

    @Test
    void crIsContentInHunkLines() throws VerificationException {
        Patch patch = UnifiedDiff.parse("--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+TWO\r\n");
        assertEquals("two\r", patch.files().get(0).hunks().get(0).lines().get(1).text());
        assertArrayEquals(utf8("one\r\nTWO\r\n"), PatchApplier.apply(utf8("one\r\ntwo\r\n"),
                patch.files().get(0)));
    }
}
