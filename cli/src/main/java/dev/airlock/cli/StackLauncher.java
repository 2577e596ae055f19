package dev.airlock.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code airlock up|status|down|bench}: the stack's lifecycle lives in the {@code deploy} module
 * ({@code dev.airlock.deploy.stack.StackMain}), which needs Kafka and PostgreSQL on its class path; the shaded
 * {@code airlock} jar stays small by starting it as a child JVM from {@code deploy/target}. Before {@code up}, builds
 * what is missing or older than its sources ({@code ./mvnw -B -q package -DskipTests}, log in
 * {@code .airlock/logs/build.log}).
 *
 * <p>Environment: {@code AIRLOCK_ROOT} (the source checkout; default: where this jar was built), {@code AIRLOCK_HOME}
 * (state, default {@code ROOT/.airlock}), {@code AIRLOCK_BUILD} = {@code auto} (default) | {@code never} (fail when
 * something is missing, warn when stale) | {@code always}.
 */
final class StackLauncher {
    /** Modules the running stack is made of, in build order; pom-packaged ones (not built yet) are skipped. */
    static final List<String> MODULES = List.of("capsule-core", "planner-service", "approval-service", "diode-bridge",
            "gateway-service", "runner-service", "evidence-service", "deploy");
    static final String MAIN = "dev.airlock.deploy.stack.StackMain";

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path root;

    StackLauncher(Map<String, String> env, PrintWriter out, PrintWriter err) throws CliException {
        this.env = env;
        this.out = out;
        this.err = err;
        this.root = findRoot(env);
    }

    static Path findRoot(Map<String, String> env) throws CliException {
        String r = env.get("AIRLOCK_ROOT");
        if (r == null || r.isBlank()) {
            r = System.getProperty("airlock.root");
        }
        Path root;
        if (r != null && !r.isBlank()) {
            root = Path.of(r);
        } else {
            try {
                // cli/target/airlock-cli.jar (or cli/target/classes in a test) → the checkout
                Path self = Path.of(StackLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                root = self.getParent().getParent().getParent();
            } catch (URISyntaxException | RuntimeException e) {
                throw new CliException("cannot tell where the Airlock checkout is; set AIRLOCK_ROOT");
            }
        }
        root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("deploy/pom.xml")) || !Files.isRegularFile(root.resolve("mvnw"))) {
            throw new CliException("the stack commands run from an Airlock source checkout, and " + root
                    + " is not one (no deploy/pom.xml, mvnw); set AIRLOCK_ROOT");
        }
        return root;
    }

    Path home() {
        String h = env.get("AIRLOCK_HOME");
        return (h == null || h.isBlank() ? root.resolve(".airlock") : Path.of(h)).toAbsolutePath().normalize();
    }

    /** Builds if needed, then runs the stack command; returns its exit code. */
    int run(String command, List<String> args, boolean build) throws CliException {
        if (build) {
            ensureBuilt();
        } else if (deployClasspath().isEmpty()) {
            // Nothing was ever built here, so no stack can be running from this checkout.
            if (command.equals("status")) {
                err.println("airlock status: no stack in " + home() + " (nothing is built yet; ./airlock up builds and starts it)");
                out.println("{\"running\":false,\"healthy\":false,\"processes\":[],\"rssBytes\":0,\"pssBytes\":0}");
                return ExitCodes.REJECTED;
            }
            if (command.equals("down")) {
                err.println("airlock down: nothing to stop in " + home());
                out.println("{\"stopped\":[]}");
                return ExitCodes.OK;
            }
            throw new CliException("the stack is not built here; ./airlock up builds and starts it");
        }
        String cp = deployClasspath().orElseThrow(() -> new CliException("deploy/target is missing after the build"));
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-XX:+UseSerialGC");
        // C1 only, as the services run. The bench is a fresh JVM on the two cores it measures: with the full JIT its C2
        // threads kept compiling through the measured window, 6.2 of its 12.9 ms of CPU per capsule at 15/s
        // (2026-11-27), CPU the stack under test then lacked; its in-process engine reference now runs under the same
        // JIT as the gateway it stands for.
        cmd.add(command.equals("bench") ? "-Xmx768m" : "-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(List.of("-cp", cp, MAIN, command));
        cmd.addAll(args);
        // The stack command's progress (stderr) and result (stdout) go straight to this process's own, in order.
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("AIRLOCK_ROOT", root.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CliException("cannot start " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        // Ctrl-C reaches both JVMs (same process group); this one waits until the stack command has finished
        // (airlock up --foreground stops the stack then), so the shell prompt returns after the last line.
        Thread waiter = new Thread(() -> {
            try {
                p.waitFor(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "airlock-stack-wait");
        Runtime.getRuntime().addShutdownHook(waiter);
        out.flush();
        err.flush();
        try {
            return p.waitFor();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return ExitCodes.INTERNAL;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(waiter);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(c -> Files.isExecutable(Path.of(c)))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    Optional<String> deployClasspath() {
        Path target = root.resolve("deploy/target");
        Path lib = target.resolve("lib");
        if (!Files.isDirectory(lib)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "deploy-*.jar")) {
            for (Path j : ds) {
                if (!j.getFileName().toString().endsWith("-tests.jar")) {
                    return Optional.of(j + File.pathSeparator + lib + File.separator + "*");
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    // ---- build ----

    /** One module: its packaged artifact (null for a pom-only module) and the inputs it is built from. */
    record Module(String name, Path artifact) {
    }

    List<Module> modules() {
        List<Module> list = new ArrayList<>();
        for (String m : MODULES) {
            Path dir = root.resolve(m);
            if (isPomPackaging(dir.resolve("pom.xml"))) {
                continue;
            }
            Path artifact = m.endsWith("-service") ? dir.resolve("target/quarkus-app/quarkus-run.jar")
                    : firstJar(dir.resolve("target"), m).orElse(dir.resolve("target").resolve(m + ".jar"));
            list.add(new Module(m, artifact));
        }
        return list;
    }

    static boolean isPomPackaging(Path pom) {
        try {
            return Files.readString(pom, StandardCharsets.UTF_8).contains("<packaging>pom</packaging>");
        } catch (IOException e) {
            return true;
        }
    }

    private static Optional<Path> firstJar(Path target, String module) {
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, module + "-*.jar")) {
            for (Path j : ds) {
                String n = j.getFileName().toString();
                if (!n.endsWith("-tests.jar") && !n.endsWith("-sources.jar")) {
                    return Optional.of(j);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A module that needs building, and why. */
    record Stale(String module, String why) {
    }

    /**
     * Modules whose artifact is missing or older than one of its inputs: its own {@code pom.xml} and
     * {@code src/main}, the root {@code pom.xml}, and capsule-core's (which every module embeds).
     */
    List<Stale> staleness() {
        List<Stale> stale = new ArrayList<>();
        for (Module m : modules()) {
            if (!Files.isRegularFile(m.artifact())) {
                stale.add(new Stale(m.name(), "missing " + root.relativize(m.artifact())));
                continue;
            }
            if (m.name().equals("deploy") && deployClasspath().isEmpty()) {
                stale.add(new Stale(m.name(), "missing deploy/target/lib"));
                continue;
            }
            FileTime built = mtime(m.artifact());
            List<Path> inputs = new ArrayList<>(List.of(root.resolve("pom.xml"), root.resolve(m.name()).resolve("pom.xml"),
                    root.resolve(m.name()).resolve("src/main")));
            if (!m.name().equals("capsule-core")) {
                inputs.add(root.resolve("capsule-core/pom.xml"));
                inputs.add(root.resolve("capsule-core/src/main"));
            }
            for (Path in : inputs) {
                Optional<Path> newer = newerThan(in, built);
                if (newer.isPresent()) {
                    stale.add(new Stale(m.name(), root.relativize(newer.get()) + " is newer than " + root.relativize(m.artifact())));
                    break;
                }
            }
        }
        return stale;
    }

    /** Whether {@code stack.json} names a live process (its pid exists). */
    boolean stackRunning() {
        Path state = home().resolve("stack.json");
        if (!Files.isRegularFile(state)) {
            return false;
        }
        try {
            var tree = dev.airlock.core.json.StrictJson.mapper().readTree(Files.readAllBytes(state));
            for (var p : tree.path("processes")) {
                if (ProcessHandle.of(p.path("pid").asLong(-1)).map(ProcessHandle::isAlive).orElse(false)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static Optional<Path> newerThan(Path in, FileTime than) {
        if (!Files.exists(in)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.walk(in)) {
            return s.filter(Files::isRegularFile).filter(p -> mtime(p).compareTo(than) > 0).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /**
     * After a successful build, each rebuilt module's artifact is current as of the build's start, even when Maven left
     * it untouched: the jar plugin does not rewrite a jar whose content did not change (diode-bridge after a change to
     * capsule-core alone), and that jar's old time would ask for the same build at every {@code up}. A source changed
     * while the build ran stays newer than the start, so it still asks for the next one.
     */
    private void markBuilt(List<Stale> rebuilt, Instant start) {
        FileTime at = FileTime.from(start);
        List<String> names = rebuilt.stream().map(Stale::module).toList();
        for (Module m : modules()) {
            if (names.contains(m.name()) && Files.isRegularFile(m.artifact()) && mtime(m.artifact()).compareTo(at) < 0) {
                try {
                    Files.setLastModifiedTime(m.artifact(), at);
                } catch (IOException e) {
                    // the build itself succeeded: at worst the next up builds this module again
                }
            }
        }
    }

    void ensureBuilt() throws CliException {
        String mode = env.getOrDefault("AIRLOCK_BUILD", "auto").trim().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "never", "always").contains(mode)) {
            throw new CliException("AIRLOCK_BUILD must be auto, never or always, got '" + mode + "'");
        }
        List<Stale> stale = mode.equals("always")
                ? modules().stream().map(m -> new Stale(m.name(), "AIRLOCK_BUILD=always")).toList() : staleness();
        if (stale.isEmpty()) {
            return;
        }
        String why = stale.get(0).why() + (stale.size() > 1 ? " (and " + (stale.size() - 1) + " more)" : "");
        if (stackRunning()) {
            // Rebuilding would replace jars under running JVMs' feet.
            err.println("  build              skipped  (" + why + "; the running stack keeps its build: ./airlock down, "
                    + "then ./airlock up to rebuild)");
            return;
        }
        if (mode.equals("never")) {
            if (stale.stream().anyMatch(s -> s.why().startsWith("missing"))) {
                throw new CliException("not built (" + why + ") and AIRLOCK_BUILD=never; run ./mvnw -B package -DskipTests");
            }
            err.println("  build              skipped  (" + why + "; AIRLOCK_BUILD=never)");
            return;
        }
        Path log = home().resolve("logs/build.log");
        List<String> projects = stale.stream().map(Stale::module).toList();
        List<String> cmd = List.of(root.resolve("mvnw").toString(), "-B", "-q", "package", "-DskipTests", "-am",
                "-pl", String.join(",", projects));
        err.println(String.format(Locale.ROOT, "  %-18s %-9s %6s    %s: ./mvnw -B -q package -DskipTests -am -pl %s (log: %s)",
                "build", "running", "", why, String.join(",", projects), log));
        err.flush();
        Instant t = Instant.now();
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "===== " + t + " " + String.join(" ", cmd) + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(cmd).directory(root.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true).start();
            int code = p.waitFor();
            Duration took = Duration.between(t, Instant.now());
            if (code != 0) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                StringBuilder tail = new StringBuilder();
                for (String l : lines.subList(Math.max(0, lines.size() - 25), lines.size())) {
                    tail.append(System.lineSeparator()).append("    | ").append(l);
                }
                throw new CliException(String.format(Locale.ROOT, "the build failed after %.0f s (exit %d); last lines "
                        + "of %s:%s", took.toMillis() / 1000.0, code, log, tail));
            }
            markBuilt(stale, t);
            err.println(String.format(Locale.ROOT, "  %-18s %-9s %6.1f s  %s", "build", "ok", took.toMillis() / 1000.0,
                    String.join(", ", projects)));
            err.flush();
        } catch (IOException e) {
            throw new CliException("cannot run the build (" + String.join(" ", cmd) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted during the build");
        }
    }
}
