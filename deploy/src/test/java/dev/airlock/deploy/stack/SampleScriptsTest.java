package dev.airlock.deploy.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validation scripts the stack ships, run for real with sh on real files. */
class SampleScriptsTest {
    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    private Run run(String resource, Path workspace, String... args) throws Exception {
        Path script = workspace.resolve("validate.sh");
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.write(script, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of("sh", "validate.sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workspace.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out.strip());
    }

    private Path pom(String version) throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws-" + version.replaceAll("[^0-9a-z.]", "_")));
        String pom;
        try (InputStream in = getClass().getResourceAsStream("/demo/payments-api/pom.xml")) {
            pom = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(ws.resolve("pom.xml"), pom.replace("<version>2.14.1</version>", "<version>" + version + "</version>"));
        return ws;
    }

    @Test
    void thePaymentsApiValidationRefusesVulnerableLog4jAndAcceptsFixedOnes() throws Exception {
        Run vulnerable = run("/demo/payments-api/validate.sh", pom("2.14.1"));
        assertEquals(1, vulnerable.exit());
        assertEquals("validate: log4j-core 2.14.1 is vulnerable (CVE-2021-44228 and related); need 2.17.1 or later",
                vulnerable.output());
        assertEquals(1, run("/demo/payments-api/validate.sh", pom("2.15.0")).exit(), "2.15.0 still has CVE-2021-45046");
        assertEquals(1, run("/demo/payments-api/validate.sh", pom("2.17.0")).exit(), "2.17.0 still has CVE-2021-44832");
        Run fixed = run("/demo/payments-api/validate.sh", pom("2.17.1"));
        assertEquals(0, fixed.exit(), fixed::output);
        assertTrue(fixed.output().endsWith(": ok"), fixed::output);
        assertEquals(0, run("/demo/payments-api/validate.sh", pom("2.12.4")).exit(), "the 2.12 security backport");
        assertEquals(0, run("/demo/payments-api/validate.sh", pom("2.20.0")).exit());
        assertEquals(2, run("/demo/payments-api/validate.sh", pom("${log4j.version}")).exit(), "a property is not a pin");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(2, run("/demo/payments-api/validate.sh", empty).exit());
    }

    @Test
    void theBenchValidationChecksTheFileItsCapsuleCreated() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("bench/services/payments/bench")).getParent().getParent().getParent();
        Files.writeString(ws.resolve("services/payments/bench/c-1.txt"), "airlock bench c-1\n");
        Files.writeString(ws.resolve("services/payments/bench/c-3.txt"), "airlock bench c-2\n");
        assertEquals(new Run(0, "bench: services/payments/bench/c-1.txt names its capsule"),
                run("/bench/validate.sh", ws, "services/payments/bench/c-1.txt"));
        Run bad = run("/bench/validate.sh", ws, "services/payments/bench/c-3.txt");
        assertEquals(1, bad.exit());
        assertTrue(bad.output().contains("c-3.txt does not name its capsule"), bad::output);
        Run missing = run("/bench/validate.sh", ws, "services/payments/bench/c-9.txt");
        assertEquals(1, missing.exit());
        assertTrue(missing.output().contains("c-9.txt is missing"), missing::output);
        assertEquals(2, run("/bench/validate.sh", ws, "validate.sh").exit(), "only bench files");
        assertEquals(2, run("/bench/validate.sh", ws, "services/payments/bench/../../../c-1.txt").exit(),
                "only files directly in the bench directory");
        assertEquals(2, run("/bench/validate.sh", ws).exit(), "the file is an argument");
    }
}
