package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GlobTest {

    private static boolean matches(String pattern, String path) throws VerificationException {
        return Glob.compile(pattern).matches(RepoPath.of(path));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "services/payments/** | services/payments/pom.xml | true",
        "services/payments/** | services/payments/src/main/java/A.java | true",
        "services/payments/** | services/payments | true",
        "services/payments/** | services/paymentsX/pom.xml | false",
        "services/payments/** | services/pay/pom.xml | false",
        "services/payments/** | other/services/payments/pom.xml | false",
        "services/payments/** | services/Payments/pom.xml | false",
        "pom.xml | pom.xml | true",
        "pom.xml | a/pom.xml | false",
        "pom.xml | pom.xml.bak | false",
        "**/.git/** | .git/config | true",
        "**/.git/** | .git | true",
        "**/.git/** | a/b/.git/hooks/pre-commit | true",
        "**/.git/** | .github/workflows/ci.yml | false",
        "**/.git/** | a.git/x | false",
        "**/.git/** | .GIT/config | false",
        "**/secrets/** | secrets/key | true",
        "**/secrets/** | a/b/secrets/c/d | true",
        "**/secrets/** | a/secretsx/c | false",
        "** | anything/at/all | true",
        "*.java | A.java | true",
        "*.java | .java | true",
        "*.java | a/A.java | false",
        "src/*/Main.java | src/app/Main.java | true",
        "src/*/Main.java | src/a/b/Main.java | false",
        "src/*/Main.java | src/Main.java | false",
        "a/**/b | a/b | true",
        "a/**/b | a/x/b | true",
        "a/**/b | a/x/y/b | true",
        "a/**/b | a/x/c | false",
        "**/**/x | x | true",
        "file?.txt | file1.txt | true",
        "file?.txt | file.txt | false",
        "file?.txt | file12.txt | false",
        "*a*b | xaybzb | true",
        "*a*b | xaybzc | false",
        "a*b*c | abc | true",
    })
    void matchesSegmentWise(String pattern, String path, boolean expected) throws VerificationException {
        assertEquals(expected, matches(pattern, path));
    }

    @Test
    void questionMarkIsOneCodePoint() throws VerificationException {
        assertEquals(true, matches("?.txt", "\uD83D\uDE00.txt"));
        assertEquals(true, matches("caf?.txt", "caf\u00e9.txt"));
        // NFD é is two code points: a different name, not normalised.
        assertFalse(matches("caf?.txt", "cafe\u0301.txt"));
        assertFalse(matches("caf\u00e9.txt", "cafe\u0301.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs/**", "a//b", "a/", "../x", "a/../b", "a/./b", "a\\b", "a**", "**a", "***",
            "a/**b/c", "[ab].txt", "src/{a,b}/x", "x]", "%2e%2e/x", "a\u0000", "a\nb", "C:/x", "a\u202Eb",
            "a\uD800"})
    void refusesBadPatternsAtPolicyLoad(String pattern) {
        VerificationException e = assertThrows(VerificationException.class, () -> Glob.compile(pattern));
        assertEquals(ReasonCode.POLICY_INVALID, e.reason());
    }

    @Test
    void adversarialPatternsStayPolynomial() throws VerificationException {
        // Classic exponential-backtracking shapes; the segment matcher is O(p*s) and segment DP O(P*S).
        String name = "a".repeat(250);
        assertFalse(matches("*a*a*a*a*a*a*a*a*a*a*a*b", name));
        String deep = "a/".repeat(1000) + "b";
        assertFalse(matches("**/a/**/a/**/a/**/a/**/a/**/c", deep));
    }
}
