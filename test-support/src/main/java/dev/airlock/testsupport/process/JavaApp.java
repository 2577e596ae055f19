package dev.airlock.testsupport.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged application ({@code target/quarkus-app/quarkus-run.jar}) running as a child process, with its output in
 * a log file, for tests that must observe a real process from the outside (its sockets, its exit).
 */
public final class JavaApp implements AutoCloseable {

    private final Process process;
    private final Path log;

    private JavaApp(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Builder for a {@code java -jar} launch with the current JVM's {@code java}. */
    public static Builder jar(Path jar) {
        return new Builder(jar);
    }

    public static final class Builder {
        private final Path jar;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path log;

        private Builder(Path jar) {
            this.jar = jar;
        }

        public Builder systemProperty(String name, String value) {
            systemProperties.put(name, value);
            return this;
        }

        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Where stdout and stderr go (default: next to the jar, {@code <jar>.log}). */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        public JavaApp start() {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " does not exist: package the application first");
            }
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(jar.toAbsolutePath().toString());
            Path logFile = log != null ? log : jar.resolveSibling(jar.getFileName() + ".log");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            pb.environment().putAll(environment);
            try {
                return new JavaApp(pb.start(), logFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + jar, e);
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** The log so far, for assertion messages. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL if it has not exited within ten seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
