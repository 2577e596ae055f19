package dev.airlock.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The root {@code ./airlock} script as a user runs it: a child process, from another directory, on the packaged jar
 * (failsafe runs this after {@code package}, so the script finds the jar fresh and does not rebuild).
 */
class AirlockScriptIT {
    static final Path ROOT = Path.of(System.getProperty("airlock.repo.root", "..")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("airlock");

    @TempDir
    Path tmp;

    record Proc(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Proc run(Path cwd, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "timed out: " + String.join(" ", cmd));
        return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void runsFromAnyDirectoryAndThroughASymlink() throws Exception {
        Proc version = run(tmp, Map.of(), SCRIPT.toString(), "--version");
        assertEquals(0, version.exit(), version::toString);
        // stdout carries only airlock's own output, even if the script had to build first.
        assertTrue(version.out().matches("(?s)airlock \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\nJava \\d+.*"), version::toString);

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("airlock"), SCRIPT);
        Proc linked = run(tmp, Map.of(), bin.resolve("airlock").toString(), "--version");
        assertEquals(0, linked.exit(), linked::toString);
        assertEquals(version.out(), linked.out());
        Files.delete(bin.resolve("airlock"));
    }

    @Test
    void theScriptRunsAPrivateCopySoARebuildCannotPullClassesFromUnderIt() throws Exception {
        Proc version = run(tmp, Map.of(), SCRIPT.toString(), "--version");
        assertEquals(0, version.exit(), version::toString);
        Path jar = ROOT.resolve("cli/target/airlock-cli.jar");
        List<Path> copies;
        try (Stream<Path> s = Files.list(ROOT.resolve("cli/target/run"))) {
            copies = s.filter(f -> f.getFileName().toString().startsWith("airlock-cli-")).toList();
        }
        assertEquals(1, copies.size(), copies::toString);
        assertEquals(Files.size(jar), Files.size(copies.get(0)));
        assertFalse(Files.isSameFile(jar, copies.get(0)));
    }

    @Test
    void theWorkedExampleRunsThroughTheScript() throws Exception {
        Path work = tmp.resolve("work");
        Proc r = run(tmp, Map.of("AIRLOCK", SCRIPT.toString()), "bash",
                ROOT.resolve("cli/examples/worked-example.sh").toString(), work.toString());

        assertEquals(0, r.exit(), r::toString);
        String t = r.out();
        assertTrue(t.contains("\"trustedOnInstall\":true"), t);
        assertTrue(t.contains("\"verdict\":\"rejected\",\"reason\":\"THRESHOLD_NOT_MET\""), t);
        assertTrue(t.contains("\"verdict\":\"admitted\""), t);
        assertTrue(t.contains("\"verdict\":\"rejected\",\"reason\":\"REPLAY\""), t);
        assertFalse(t.contains("\tat "), t);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("keys/alice.key.pem"))));
        assertEquals(1, Files.readAllLines(work.resolve("state/ledger.jsonl")).size());

        // The exit code and the one-JSON-line stdout survive the script's exec.
        Proc again = run(work, Map.of(), SCRIPT.toString(), "capsule", "verify", "--policy", "policy.dsse.json",
                "--environment", "prod-enclave-1", "--capsule", "signed-capsule.json", "--state", "state");
        assertEquals(3, again.exit(), again::toString);
        assertEquals(1, again.out().strip().lines().count(), again::toString);
        assertTrue(again.out().startsWith("{\"verdict\":\"rejected\",\"reason\":\"REPLAY\""), again::toString);
        assertTrue(again.err().contains("rejected: REPLAY"), again::toString);
    }

    @Test
    void usageErrorsThroughTheScriptExit2WithoutAStackTrace() throws Exception {
        Proc r = run(tmp, Map.of(), SCRIPT.toString(), "capsule", "verify", "--policy", "missing.json");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("Missing required options"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);

        // A stack command through the script: no stack in an empty state directory (exit 3, one JSON line).
        Proc status = run(tmp, Map.of("AIRLOCK_HOME", tmp.resolve("no-stack").toString()), SCRIPT.toString(), "status");
        assertEquals(3, status.exit(), status::toString);
        assertTrue(status.err().contains("no stack in " + tmp.resolve("no-stack")), status::toString);
        assertTrue(status.out().strip().startsWith("{\"running\":false"), status::toString);
    }

    @Test
    void anOldJavaIsRefusedWithAClearMessage() throws Exception {
        for (String v : List.of("11.0.22", "1.8.0_392")) {
            Path home = tmp.resolve("java-" + v);
            Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
            Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"" + v + "\" 2024-01-16' >&2\n",
                    StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

            Proc r = run(tmp, Map.of("JAVA_HOME", home.toString()), SCRIPT.toString(), "--version");

            assertEquals(2, r.exit(), r::toString);
            assertEquals("", r.out());
            assertTrue(r.err().contains("Java 17 or newer is required") && r.err().contains(v), r::toString);
            assertEquals(1, r.err().strip().lines().count(), r::toString);
        }
    }
}
