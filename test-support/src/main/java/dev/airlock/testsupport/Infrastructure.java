package dev.airlock.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Decides, once per JVM, whether test infrastructure runs as Testcontainers or in this JVM / as a local child process.
 * <p>
 * Switch: system property or environment variable {@value #SWITCH} = {@code auto} (default) | {@code always} |
 * {@code never}. {@code auto} uses containers only when a Docker engine answers. The probe is cheap when there is
 * plainly no engine: Testcontainers is only asked (and allowed to log) when a Docker endpoint is configured or a
 * known engine socket exists, so machines without Docker start the embedded path at once and silently.
 */
public final class Infrastructure {

    /** System property / environment variable selecting the infrastructure. */
    public static final String SWITCH = "AIRLOCK_TEST_CONTAINERS";

    public enum Mode {
        AUTO, ALWAYS, NEVER
    }

    private static final System.Logger LOG = System.getLogger(Infrastructure.class.getName());
    private static volatile Boolean useContainers;

    private Infrastructure() {
    }

    /** {@code true} when Kafka and PostgreSQL should run as Testcontainers. Decided and logged once. */
    public static boolean useContainers() {
        Boolean decided = useContainers;
        if (decided == null) {
            synchronized (Infrastructure.class) {
                decided = useContainers;
                if (decided == null) {
                    decided = decide();
                    useContainers = decided;
                }
            }
        }
        return decided;
    }

    public static Mode mode() {
        String raw = System.getProperty(SWITCH);
        if (raw == null || raw.isBlank()) {
            raw = System.getenv(SWITCH);
        }
        if (raw == null || raw.isBlank()) {
            return Mode.AUTO;
        }
        try {
            return Mode.valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SWITCH + " must be auto, always or never, not '" + raw + "'");
        }
    }

    private static boolean decide() {
        Mode mode = mode();
        String label = mode.name().toLowerCase(Locale.ROOT);
        switch (mode) {
            case NEVER -> {
                LOG.log(Level.INFO,
                        "Airlock test infrastructure: embedded Kafka and PostgreSQL (" + SWITCH + "=never)");
                return false;
            }
            case ALWAYS -> {
                if (!dockerAnswers()) {
                    throw new IllegalStateException(SWITCH + "=always but no Docker engine is reachable");
                }
                LOG.log(Level.INFO, "Airlock test infrastructure: Testcontainers (" + SWITCH + "=always)");
                return true;
            }
            default -> {
                List<String> endpoints = dockerEndpointHints();
                if (endpoints.isEmpty()) {
                    LOG.log(Level.INFO, "Airlock test infrastructure: embedded Kafka and PostgreSQL (" + SWITCH + "="
                            + label + "; no Docker endpoint configured or found)");
                    return false;
                }
                boolean docker = dockerAnswers();
                LOG.log(Level.INFO, "Airlock test infrastructure: "
                        + (docker ? "Testcontainers" : "embedded Kafka and PostgreSQL") + " (" + SWITCH + "=" + label
                        + "; Docker endpoint " + endpoints.get(0) + (docker ? " answers" : " does not answer") + ")");
                return docker;
            }
        }
    }

    private static boolean dockerAnswers() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Where a Docker (or Docker-compatible) engine could be: configuration first, then well-known sockets. */
    static List<String> dockerEndpointHints() {
        List<String> hints = new ArrayList<>();
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            hints.add("DOCKER_HOST=" + dockerHost);
        }
        String home = System.getProperty("user.home", "");
        Path tcProperties = Path.of(home, ".testcontainers.properties");
        if (Files.isRegularFile(tcProperties)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(tcProperties)) {
                p.load(in);
                if (p.getProperty("docker.host") != null || p.getProperty("docker.client.strategy") != null) {
                    hints.add(tcProperties.toString());
                }
            } catch (IOException e) {
                // an unreadable file configures nothing
            }
        }
        List<Path> sockets = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of("/run/docker.sock"),
                Path.of("/run/podman/podman.sock"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock"),
                Path.of(home, ".rd", "docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
            sockets.add(Path.of(runtimeDir, "podman", "podman.sock"));
        }
        for (Path socket : sockets) {
            if (Files.exists(socket)) {
                hints.add(socket.toString());
            }
        }
        return hints;
    }
}
