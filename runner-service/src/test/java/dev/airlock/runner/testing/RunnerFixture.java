package dev.airlock.runner.testing;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.domain.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything a runner needs on disk, in a temporary directory: its key ({@code runner.edge-7} of {@link TestPki}),
 * the gateway's public key ({@code gateway.enclave-1}), a state directory, status and metrics files, and one git
 * workspace per repository. {@link #config()} is the runner's configuration for it (environment
 * {@value TestPki#PROD}).
 */
public final class RunnerFixture implements AutoCloseable {

    private final Path root;
    private final Map<String, GitWorkspace> workspaces = new LinkedHashMap<>();

    private RunnerFixture(Path root) {
        this.root = root;
    }

    public static RunnerFixture create(String... repositories) {
        try {
            RunnerFixture f = new RunnerFixture(Files.createTempDirectory("airlock-runner-test-"));
            Path keys = Files.createDirectories(f.root.resolve("keys"));
            KeyFiles.write(keys, Admissions.RUNNER, TestPki.key(Admissions.RUNNER));
            KeyFiles.write(keys, Admissions.GATEWAY, TestPki.key(Admissions.GATEWAY));
            for (String repo : repositories) {
                f.workspaces.put(repo, GitWorkspace.create(f.root.resolve("workspaces").resolve(repo)));
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The runner's configuration ({@code airlock.runner.*}), without the broker. */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("airlock.runner.id", Admissions.RUNNER);
        c.put("airlock.runner.environment", TestPki.PROD);
        c.put("airlock.runner.key", KeyFiles.privateKeyPath(root.resolve("keys"), Admissions.RUNNER).toString());
        c.put("airlock.runner.gateway-public-key",
                KeyFiles.publicKeyPath(root.resolve("keys"), Admissions.GATEWAY).toString());
        c.put("airlock.runner.state-dir", stateDir().toString());
        c.put("airlock.runner.status-file", statusFile().toString());
        c.put("airlock.runner.metrics-file", metricsFile().toString());
        c.put("airlock.runner.spool-retry-interval", "PT1S");
        workspaces.forEach((repo, ws) -> c.put("airlock.runner.workspaces.\"" + repo + "\"", ws.root().toString()));
        return c;
    }

    public Path root() {
        return root;
    }

    public Path stateDir() {
        return root.resolve("state");
    }

    public Path statusFile() {
        return root.resolve("status/runner.json");
    }

    public Path metricsFile() {
        return root.resolve("status/runner.prom");
    }

    public GitWorkspace workspace(String repository) {
        return workspaces.get(repository);
    }

    /** Entries of a state subdirectory ({@code journal}, {@code spool}, {@code executed}). */
    public List<Path> state(String subdirectory) {
        return list(stateDir().resolve(subdirectory));
    }

    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            DurableFiles.deleteTree(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
