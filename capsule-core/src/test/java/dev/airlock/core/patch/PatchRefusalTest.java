package dev.airlock.core.patch;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal of the strict patch format, one fixture folder each under
 * {@code src/test/resources/dev/airlock/core/patch/<case>/} ({@code patch.diff}, {@code original} when the case is about
 * applying, and a one-line README).
 */
class PatchRefusalTest {

    private static final String BASE = "/dev/airlock/core/patch/";

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PatchRefusalTest.class.getResourceAsStream(BASE + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private static String patch(String fixture) throws IOException {
        return new String(resource(fixture + "/patch.diff"), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // anything the manifest cannot describe, or a path that must never be touched
        "binary-files-differ         | SCOPE_VIOLATION | patch line 3: binary patch is not allowed",
        "git-binary-patch            | SCOPE_VIOLATION | patch line 3: binary patch is not allowed",
        "mode-change                 | SCOPE_VIOLATION | patch line 2: file mode change is not allowed",
        "new-file-executable         | SCOPE_VIOLATION | executable file mode 100755 is not allowed (only 100644)",
        "new-file-symlink            | SCOPE_VIOLATION | symlink mode 120000 is not allowed (only 100644)",
        "deleted-symlink             | SCOPE_VIOLATION | symlink mode 120000 is not allowed (only 100644)",
        "index-line-executable       | SCOPE_VIOLATION | executable file mode 100755 is not allowed (only 100644)",
        "submodule                   | SCOPE_VIOLATION | submodule (gitlink) mode 160000 is not allowed",
        "rename                      | SCOPE_VIOLATION | diff --git names two different files (rename or copy)",
        "copy                        | SCOPE_VIOLATION | diff --git names two different files (rename or copy)",
        "rename-without-git-header   | SCOPE_VIOLATION | --- and +++ name different files (rename or copy)",
        "git-header-names-differ     | SCOPE_VIOLATION | diff --git names two different files (rename or copy)",
        "same-file-twice             | SCOPE_VIOLATION | `\"pom.xml\" is patched twice`",
        "path-traversal              | SCOPE_VIOLATION | has a '..' segment",
        "absolute-path               | SCOPE_VIOLATION | `path \"/etc/passwd\" is absolute`",
        "url-encoded-traversal       | SCOPE_VIOLATION | contains a percent-encoded sequence",
        "nul-in-quoted-path          | SCOPE_VIOLATION | contains NUL",
        "backslash-path              | SCOPE_VIOLATION | contains a backslash",
        "nul-in-content              | SCOPE_VIOLATION | patch carries binary content (NUL byte)",
        // syntax
        "hunk-too-few-lines          | MALFORMED | hunk lines do not match the counts in its header",
        "hunk-too-many-lines         | MALFORMED | `unexpected text after the hunks of \"pom.xml\"`",
        "garbage-between-hunks       | MALFORMED | `patch line 6: unexpected text after the hunks of \"pom.xml\"`",
        "garbage-before-first-file   | MALFORMED | patch line 1: unexpected text before the first file",
        "missing-plus-header         | MALFORMED | --- line is not followed by a +++ line",
        "hunks-out-of-order          | MALFORMED | overlap or are out of order",
        "hunks-overlapping           | MALFORMED | overlap or are out of order",
        "new-line-number-inconsistent| MALFORMED | its + line number does not follow from the hunks before it",
        "empty-line-in-hunk          | MALFORMED | empty line inside a hunk",
        "crlf-headers                | MALFORMED | patch line 1: header line ends with CR",
        "no-trailing-newline         | MALFORMED | patch does not end with a newline",
        "empty-patch                 | MALFORMED | empty patch",
        "hunk-changes-nothing        | MALFORMED | hunk changes nothing",
        "misplaced-no-newline-marker | MALFORMED | marks a line that is not the last of its side",
        "localized-no-newline-marker | MALFORMED | patch line 5: unexpected line",
        "bad-quoted-name             | MALFORMED | bad quoted name in diff --git header",
        "hunk-number-overflow        | MALFORMED | patch line 3: bad hunk header",
        "git-header-without-changes  | MALFORMED | `diff --git section for \"pom.xml\" changes nothing`",
        "creation-with-context       | MALFORMED | must be one hunk @@ -0,0 +1,n @@",
    })
    void parseRefuses(String fixture, ReasonCode reason, String detail) throws IOException {
        assertEquals(null, resource(fixture + "/original"), "parse cases have no original");
        String text = patch(fixture);
        VerificationException e = assertThrows(VerificationException.class, () -> UnifiedDiff.parse(text));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.detail().contains(detail), e.detail());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "offset                   | patch does not apply to pom.xml at line 3: the file differs from the patch's context line",
        "fuzz-context             | patch does not apply to pom.xml at line 7: the file differs from the patch's context line",
        "whitespace-context       | patch does not apply to pom.xml at line 7: the file differs from the patch's context line",
        "removed-line-differs     | patch does not apply to pom.xml at line 8: the file differs from the patch's removed line",
        "crlf-file-lf-patch       | patch does not apply to pom.xml at line 5: the file differs from the patch's context line",
        "lf-file-crlf-patch       | patch does not apply to notes.txt at line 1: the file differs from the patch's context line",
        "missing-final-newline    | patch does not apply to notes.txt at line 2: the file has no newline at its end",
        "unexpected-final-newline | patch does not apply to notes.txt at line 2: the patch expects no newline at the end of the file",
        "create-existing          | patch does not apply to notes.txt: the patch creates it but it already exists",
        "modify-missing           | patch does not apply to notes.txt: the patch modifies it but it does not exist",
        "delete-not-whole-file    | patch does not apply to notes.txt at line 3: the deletion does not remove the whole file",
        "hunk-past-end            | patch does not apply to notes.txt at line 2: the hunk @@ -2,2 +2,2 @@ reaches past the end of the file (2 lines)",
    })
    void applyRefusesExactlyWithTheLine(String fixture, String detail) throws IOException, VerificationException {
        Patch patch = UnifiedDiff.parse(patch(fixture));
        byte[] original = resource(fixture + "/original");
        assertEquals(1, patch.files().size());
        VerificationException e = assertThrows(VerificationException.class,
                () -> PatchApplier.apply(original, patch.files().get(0)));
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertEquals(detail, e.detail());
    }

    @Test
    void everyFixtureFolderIsExercisedAndDocumented() throws IOException, URISyntaxException {
        Path base = Path.of(PatchRefusalTest.class.getResource(BASE).toURI());
        Set<String> folders;
        try (Stream<Path> list = Files.list(base)) {
            folders = list.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> listed = new TreeSet<>();
        for (String annotation : new String[] {"parseRefuses", "applyRefusesExactlyWithTheLine"}) {
            try {
                CsvSource csv = getClass().getDeclaredMethod(annotation, annotation.equals("parseRefuses")
                        ? new Class<?>[] {String.class, ReasonCode.class, String.class}
                        : new Class<?>[] {String.class, String.class}).getAnnotation(CsvSource.class);
                for (String row : csv.value()) {
                    listed.add(row.substring(0, row.indexOf('|')).trim());
                }
            } catch (NoSuchMethodException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(folders, listed);
        for (String folder : folders) {
            String readme = Files.readString(base.resolve(folder).resolve("README.md"));
            assertEquals(1, readme.lines().count(), folder + "/README.md is one line");
        }
    }
}
