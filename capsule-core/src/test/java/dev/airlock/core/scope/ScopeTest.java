package dev.airlock.core.scope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeTest {

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void policyExampleScopeDecidesEveryCaseAndNamesTheRule() throws IOException, VerificationException {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/dev/airlock/core/scope/policy-example/cases.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        Scope scope = Scope.of(strings(fixture.get("allow")), strings(fixture.get("deny")));
        for (JsonNode c : fixture.get("cases")) {
            RepoPath path = RepoPath.of(c.get("path").asText());
            boolean permitted = c.get("permitted").asBoolean();
            assertEquals(permitted, scope.permits(path), path.value());
            if (permitted) {
                scope.check(path);
                continue;
            }
            VerificationException e = assertThrows(VerificationException.class, () -> scope.check(path));
            assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
            assertTrue(e.detail().contains("\"" + path.value() + "\""), e.detail());
            if (c.has("rule")) {
                assertEquals("path \"" + path.value() + "\" is denied by scope rule \"" + c.get("rule").asText()
                        + "\"", e.detail());
            } else {
                assertTrue(e.detail().contains("matches no allow rule"), e.detail());
            }
        }
    }

    @Test
    void denyWinsOverAMoreSpecificAllow() throws VerificationException {
        Scope scope = Scope.of(List.of("services/payments/secrets/ok.txt"), List.of("**/secrets/**"));
        assertFalse(scope.permits(RepoPath.of("services/payments/secrets/ok.txt")));
    }

    @Test
    void emptyAllowListPermitsNothing() throws VerificationException {
        Scope scope = Scope.of(List.of(), List.of());
        assertFalse(scope.permits(RepoPath.of("pom.xml")));
    }

    @Test
    void badPatternsOrMissingListsAreAPolicyError() {
        assertEquals(ReasonCode.POLICY_INVALID, assertThrows(VerificationException.class,
                () -> Scope.of(List.of("services/../**"), List.of())).reason());
        assertEquals(ReasonCode.POLICY_INVALID, assertThrows(VerificationException.class,
                () -> Scope.of(List.of("**"), List.of("[ab]"))).reason());
        assertEquals(ReasonCode.POLICY_INVALID, assertThrows(VerificationException.class,
                () -> Scope.of(null, List.of())).reason());
    }

    @Test
    void keepsThePatternsItWasBuiltFrom() throws VerificationException {
        Scope scope = Scope.of(List.of("a/**", "b"), List.of("**/.git/**"));
        assertEquals(List.of("a/**", "b"), scope.allow());
        assertEquals(List.of("**/.git/**"), scope.deny());
        assertEquals(scope, Scope.of(List.of("a/**", "b"), List.of("**/.git/**")));
    }
}
