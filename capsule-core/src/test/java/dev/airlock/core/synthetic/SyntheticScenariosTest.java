package dev.airlock.core.synthetic;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Walks every folder under {@code src/test/resources/dev/airlock/core/synthetic/}, runs the production
 * {@code PolicyTrust} and {@code VerificationEngine} on its files exactly as {@code airlock capsule verify --state} will,
 * and compares the answer with the folder's {@code expected.json}.
 */
class SyntheticScenariosTest {
    private static final String REGENERATE = "airlock.regenerateFixtures";

    /** Intentional update ({@code -Dairlock.regenerateFixtures=true}): rewrite the source folders before any test reads them. */
    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        String flag = System.getProperty(REGENERATE);
        if (flag != null && !flag.isBlank() && !flag.equals("false")) {
            // cwd is the module directory under surefire
            SyntheticScenarios.main(new String[] {"src/test/resources/" + SyntheticScenarios.RESOURCE_PATH});
        }
    }

    /** The committed folders (the module's source tree under surefire), else their copy on the test classpath. */
    static Path fixtures() {
        Path source = Path.of("src/test/resources/" + SyntheticScenarios.RESOURCE_PATH);
        if (Files.isDirectory(source)) {
            return source;
        }
        try {
            return Path.of(SyntheticScenariosTest.class.getResource("/" + SyntheticScenarios.RESOURCE_PATH).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> s = Files.list(fixtures())) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    // The timeout is a hang guard for the size and shape bombs (B.11), not a performance assertion.
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(60)
    void scenario(String name, @TempDir Path state) throws Exception {
        Path folder = fixtures().resolve(name);
        assertTrue(Files.exists(folder.resolve(ScenarioRunner.README)), name + " has no README.md");
        Expected expected = Expected.parse(Files.readAllBytes(folder.resolve(ScenarioRunner.EXPECTED)));
        Set<String> before = fingerprint(folder);
        ScenarioRunner.Outcome outcome = ScenarioRunner.run(folder, state);
        Verdict v = outcome.verdict();
        String seen = v.toJson();
        assertEquals(expected.verdict(), v.verdict(), seen);
        assertEquals(expected.reason(), v.reason(), seen);
        assertEquals(expected.policyInForce(), outcome.policyInForce(), "policy in force afterwards; " + seen);
        if (expected.admitted()) {
            List<Expected.Approver> counted = v.approvers().stream()
                    .map(a -> new Expected.Approver(a.approver(), a.role())).toList();
            assertEquals(expected.approvers(), counted, seen);
            assertEquals(expected.effectiveMode(), v.effectiveMode(), seen);
        } else {
            assertNull(v.effectiveMode(), "a rejection names no mode to run in; " + seen);
        }
        if (expected.detailContains() != null) {
            assertTrue(v.detail().contains(expected.detailContains()),
                    "detail should contain '" + expected.detailContains() + "'; " + seen);
        }
        // The run used a copy of the state: installing a policy or recording never touches the fixture folder.
        assertEquals(before, fingerprint(folder), "the fixture folder was modified");
    }

    /** The committed folders are byte for byte what the generator writes: fixtures cannot drift from their source. */
    @Test
    @Timeout(120)
    void committedFixturesAreExactlyWhatTheGeneratorWrites(@TempDir Path tmp) throws IOException {
        SyntheticScenarios.write(tmp);
        Map<String, byte[]> generated = tree(tmp);
        Map<String, byte[]> onDisk = tree(fixtures());
        assertEquals(generated.keySet(), onDisk.keySet(),
                "scenario files differ from the generator; regenerate with -D" + REGENERATE + "=true");
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : generated.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), onDisk.get(e.getKey()))) {
                differing.add(e.getKey());
            }
        }
        assertEquals(List.of(), differing, "committed fixtures differ from the generator; regenerate with -D"
                + REGENERATE + "=true");
    }

    /** Every admission reason code of ARCHITECTURE §5 is the expected answer of at least one scenario. */
    @Test
    void everyReasonCodeIsReachedByAScenario() throws Exception {
        Set<ReasonCode> reached = EnumSet.noneOf(ReasonCode.class);
        int admitted = 0;
        for (String name : scenarios().toList()) {
            Expected e = Expected.parse(Files.readAllBytes(fixtures().resolve(name).resolve(ScenarioRunner.EXPECTED)));
            if (e.admitted()) {
                admitted++;
            } else {
                reached.add(e.reason());
            }
        }
        Set<ReasonCode> missing = EnumSet.allOf(ReasonCode.class);
        missing.removeAll(reached);
        // DRIFT is the runner's, never an admission verdict.
        missing.remove(ReasonCode.DRIFT);
        assertEquals(Set.of(), missing, "reason codes no scenario reaches");
        assertTrue(admitted >= 10, "admitted twins keep the rejections honest, found " + admitted);
    }

    private static Map<String, byte[]> tree(Path root) throws IOException {
        return tree(root, true);
    }

    private static Map<String, byte[]> tree(Path root, boolean scenarioFoldersOnly) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            // Files inside scenario folders only (the classpath copy shares its directory with this package's classes).
            for (Path p : walk.filter(Files::isRegularFile).filter(f -> !scenarioFoldersOnly || !f.getParent().equals(root)).toList()) {
                out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        if (out.isEmpty()) {
            fail("no fixture files under " + root);
        }
        return out;
    }

    private static Set<String> fingerprint(Path folder) throws IOException {
        Set<String> out = new java.util.TreeSet<>();
        for (Map.Entry<String, byte[]> e : tree(folder, false).entrySet()) {
            out.add(e.getKey() + " " + dev.airlock.core.crypto.Hex.sha256Hex(e.getValue()));
        }
        return out;
    }
}
