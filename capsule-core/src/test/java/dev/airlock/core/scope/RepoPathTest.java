package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS D.22 (paths) and B.10 (no Unicode normalisation). */
class RepoPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"pom.xml", "services/payments/src/main/java/Pay.java", ".gitignore", "a/.hidden/b",
            "dir with space/x y.txt", "100%.txt", "%zz", "a%2", "...", "a..b/c.", "café/naïve.txt", "ab:c",
            "emoji/\uD83D\uDE00.txt", "-rf", "~/x"})
    void acceptsRelativePathsWithoutTricks(String value) throws VerificationException {
        assertEquals(value, RepoPath.of(value).value());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", "empty path"),
                Arguments.of("/etc/passwd", "is absolute"),
                Arguments.of("C:/Windows/win.ini", "is absolute (drive letter)"),
                Arguments.of("c:x", "is absolute (drive letter)"),
                Arguments.of("C:\\Windows", "contains a backslash"),
                Arguments.of("\\\\server\\share\\x", "contains a backslash"),
                Arguments.of("a\\..\\b", "contains a backslash"),
                Arguments.of("../etc/passwd", "has a '..' segment"),
                Arguments.of("a/../../b", "has a '..' segment"),
                Arguments.of("..", "has a '..' segment"),
                Arguments.of("a/./b", "has a '.' segment"),
                Arguments.of(".", "has a '.' segment"),
                Arguments.of("a//b", "has an empty segment"),
                Arguments.of("a/", "has an empty segment"),
                Arguments.of("a\u0000b", "contains NUL"),
                Arguments.of("pom.xml\u0000.txt", "contains NUL"),
                Arguments.of("a\nb", "contains a control character"),
                Arguments.of("a\tb", "contains a control character"),
                Arguments.of("a\u007fb", "contains a control character"),
                Arguments.of("a\u0085b", "contains a control character"),
                Arguments.of("invoice\u202Efdp.exe", "contains a bidirectional control character"),
                Arguments.of("a\u2066b", "contains a bidirectional control character"),
                Arguments.of("%2e%2e%2fetc/passwd", "contains a percent-encoded sequence"),
                Arguments.of("..%2fetc", "contains a percent-encoded sequence"),
                Arguments.of("a%00b", "contains a percent-encoded sequence"),
                Arguments.of("a%2Fb", "contains a percent-encoded sequence"),
                Arguments.of("%252e%252e", "contains a percent-encoded sequence"),
                Arguments.of("a\uD800b", "contains a lone surrogate"),
                Arguments.of("a\uDC00", "contains a lone surrogate"),
                Arguments.of("d/" + "é".repeat(128), "has a segment longer than 255 bytes"),
                Arguments.of("x".repeat(256), "has a segment longer than 255 bytes"),
                Arguments.of(("d".repeat(200) + "/").repeat(20) + "x".repeat(77), "is longer than 4096 bytes"),
                Arguments.of("x".repeat(1_000_000), "is longer than 4096 bytes"));
    }

    @ParameterizedTest
    @MethodSource
    void refused(String value, String why) {
        VerificationException e = assertThrows(VerificationException.class, () -> RepoPath.of(value));
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().endsWith(why), e.detail());
        assertThrows(IllegalArgumentException.class, () -> new RepoPath(value));
    }

    @Test
    void limitsAreInclusive() throws VerificationException {
        RepoPath.of("é".repeat(127) + "x");
        String path = ("d".repeat(200) + "/").repeat(20) + "x".repeat(76);
        assertEquals(4096, path.length());
        RepoPath.of(path);
    }

    @Test
    void unicodeSpellingsAndCaseAreDifferentPaths() throws VerificationException {
        RepoPath nfc = RepoPath.of("caf\u00e9.txt");
        RepoPath nfd = RepoPath.of("cafe\u0301.txt");
        assertNotEquals(nfc, nfd);
        RepoPath latin = RepoPath.of("pom.xml");
        RepoPath cyrillic = RepoPath.of("p\u043em.xml"); // Cyrillic small o
        assertNotEquals(latin, cyrillic);
        assertNotEquals(latin, RepoPath.of("Pom.xml"));
    }

    @Test
    void errorDetailsEscapeWhatCouldForgeALogLine() {
        VerificationException e = assertThrows(VerificationException.class,
                () -> RepoPath.of("x\n2026-01-01 INFO admitted"));
        assertEquals("path \"x\\u000a2026-01-01 INFO admitted\" contains a control character", e.detail());
    }

    @Test
    void segmentsAndFileName() throws VerificationException {
        RepoPath p = RepoPath.of("services/payments/pom.xml");
        assertEquals(List.of("services", "payments", "pom.xml"), p.segments());
        assertEquals("pom.xml", p.fileName());
    }
}
