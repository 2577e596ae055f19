package dev.airlock.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code airlock up} decides to build, on a checkout laid out like the real one. */
class StackLauncherTest {
    @TempDir
    Path root;
    private final StringWriter err = new StringWriter();
    private final Instant built = Instant.parse("2026-11-25T12:00:00Z");

    private void file(String path, Instant mtime) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setLastModifiedTime(p, FileTime.from(mtime));
    }

    @BeforeEach
    void checkout() throws Exception {
        Instant before = built.minusSeconds(3600);
        file("mvnw", before);
        file("pom.xml", before);
        for (String m : StackLauncher.MODULES) {
            Files.createDirectories(root.resolve(m));
            Files.writeString(root.resolve(m).resolve("pom.xml"), m.equals("diode-bridge")
                    ? "<project><packaging>pom</packaging></project>" : "<project><packaging>jar</packaging></project>");
            Files.setLastModifiedTime(root.resolve(m).resolve("pom.xml"), FileTime.from(before));
            if (!m.equals("diode-bridge")) {
                file(m + "/src/main/java/A.java", before);
                file(m.endsWith("-service") ? m + "/target/quarkus-app/quarkus-run.jar" : m + "/target/" + m + "-0.1.0.jar",
                        built);
            }
        }
        Files.createDirectories(root.resolve("deploy/target/lib"));
    }

    private StackLauncher launcher(Map<String, String> env) throws CliException {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("AIRLOCK_ROOT", root.toString());
        return new StackLauncher(e, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    @Test
    void aFreshBuildIsLeftAlone() throws Exception {
        assertEquals(List.of(), launcher(Map.of()).staleness());
        launcher(Map.of()).ensureBuilt(); // nothing to do: would otherwise run ./mvnw (a file with no shebang here)
        assertEquals("", err.toString());
    }

    @Test
    void aChangedSourceRebuildsItsModuleAndAChangedLibraryRebuildsEveryone() throws Exception {
        file("gateway-service/src/main/java/B.java", built.plusSeconds(5));
        List<StackLauncher.Stale> stale = launcher(Map.of()).staleness();
        assertEquals(List.of("gateway-service"), stale.stream().map(StackLauncher.Stale::module).toList());
        assertTrue(stale.get(0).why().startsWith("gateway-service/src/main/java/B.java is newer than"), stale::toString);

        file("capsule-core/src/main/java/Core.java", built.plusSeconds(5));
        assertEquals(List.of("capsule-core", "planner-service", "approval-service", "gateway-service", "runner-service",
                "evidence-service", "deploy"), launcher(Map.of()).staleness().stream().map(StackLauncher.Stale::module).toList());
    }

    @Test
    void aModuleTheBuildLeftUntouchedIsNotRebuiltAtTheNextUp() throws Exception {
        // Maven's jar plugin keeps a jar whose content did not change, with its old time: a successful build whose
        // output is not newer than the change would otherwise be asked for again at every up.
        Path mvnw = root.resolve("mvnw");
        Files.writeString(mvnw, "#!/bin/sh\nexit 0\n");
        assertTrue(mvnw.toFile().setExecutable(true));
        file("runner-service/src/main/java/B.java", built.plusSeconds(5));
        assertEquals(List.of("runner-service"), launcher(Map.of()).staleness().stream().map(StackLauncher.Stale::module).toList());
        launcher(Map.of()).ensureBuilt();
        assertTrue(err.toString().contains("build              ok"), err::toString);
        assertEquals(List.of(), launcher(Map.of()).staleness());
        assertEquals(built,
                Files.getLastModifiedTime(root.resolve("planner-service/target/quarkus-app/quarkus-run.jar")).toInstant(),
                "a module that was not rebuilt keeps its time");

        file("runner-service/src/main/java/C.java", Instant.now().plusSeconds(60)); // changed while the build ran
        launcher(Map.of()).ensureBuilt();
        assertEquals(List.of("runner-service"), launcher(Map.of()).staleness().stream().map(StackLauncher.Stale::module).toList());
    }

    @Test
    void whatIsMissingIsNamedAndNeverSkipsTheBuild() throws Exception {
        Files.delete(root.resolve("runner-service/target/quarkus-app/quarkus-run.jar"));
        List<StackLauncher.Stale> stale = launcher(Map.of()).staleness();
        assertEquals("missing runner-service/target/quarkus-app/quarkus-run.jar", stale.get(0).why());
        CliException e = assertThrows(CliException.class, () -> launcher(Map.of("AIRLOCK_BUILD", "never")).ensureBuilt());
        assertTrue(e.getMessage().contains("AIRLOCK_BUILD=never"), e::getMessage);
    }

    @Test
    void aStaleBuildUnderARunningStackIsNotReplaced() throws Exception {
        file("planner-service/src/main/java/B.java", built.plusSeconds(5));
        Path home = Files.createDirectories(root.resolve(".airlock"));
        Files.writeString(home.resolve("stack.json"), "{\"processes\":[{\"name\":\"planner-service\",\"pid\":"
                + ProcessHandle.current().pid() + "}]}");
        StackLauncher l = launcher(Map.of());
        assertTrue(l.stackRunning());
        l.ensureBuilt();
        assertTrue(err.toString().contains("the running stack keeps its build"), err::toString);
        Files.delete(home.resolve("stack.json"));
        err.getBuffer().setLength(0);
        launcher(Map.of("AIRLOCK_BUILD", "never")).ensureBuilt();
        assertTrue(err.toString().contains("build              skipped  (planner-service/src/main/java/B.java is newer"
                + " than planner-service/target/quarkus-app/quarkus-run.jar; AIRLOCK_BUILD=never)"), err::toString);
    }

    @Test
    void aBadBuildModeIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> launcher(Map.of("AIRLOCK_BUILD", "sometimes")).ensureBuilt());
        assertEquals("AIRLOCK_BUILD must be auto, never or always, got 'sometimes'", e.getMessage());
    }
}
