package dev.airlock.deploy.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Where the stack lives and how it is wired, from the environment of {@code airlock up|status|down|bench}.
 *
 * <ul>
 *   <li>{@code AIRLOCK_ROOT}: the source checkout (set by the {@code airlock} command; the working directory otherwise)</li>
 *   <li>{@code AIRLOCK_HOME}: the state directory (default {@code ROOT/.airlock})</li>
 *   <li>{@code AIRLOCK_PORT_BASE}: move every port to {@code BASE..BASE+9} (default: the standard ports)</li>
 *   <li>{@code AIRLOCK_CONTROL_DB_URL}, {@code AIRLOCK_ENCLAVE_DB_URL}: an existing PostgreSQL per plane
 *       ({@code postgresql://USER:PASSWORD@HOST:PORT}) instead of the embedded one</li>
 *   <li>{@code AIRLOCK_START_TIMEOUT}: seconds each process may take to become healthy (default 240)</li>
 * </ul>
 */
public record StackSettings(Path root, Path home, Ports ports, Path java, PostgresTarget controlDb,
                            PostgresTarget enclaveDb, Duration startTimeout) {

    public static StackSettings fromEnvironment(Map<String, String> env) {
        Path root = Path.of(env.getOrDefault("AIRLOCK_ROOT", System.getProperty("user.dir"))).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("deploy/pom.xml"))) {
            throw new IllegalArgumentException("AIRLOCK_ROOT " + root + " is not an Airlock source checkout (no deploy/pom.xml)");
        }
        String h = env.get("AIRLOCK_HOME");
        Path home = (h == null || h.isBlank() ? root.resolve(".airlock") : Path.of(h)).toAbsolutePath().normalize();
        Ports ports = Ports.DEFAULTS;
        String base = env.get("AIRLOCK_PORT_BASE");
        if (base != null && !base.isBlank()) {
            try {
                ports = Ports.fromBase(Integer.parseInt(base.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("AIRLOCK_PORT_BASE must be a number, got '" + base + "'");
            }
        }
        String c = env.get("AIRLOCK_CONTROL_DB_URL");
        String e = env.get("AIRLOCK_ENCLAVE_DB_URL");
        PostgresTarget controlDb = c == null || c.isBlank() ? PostgresTarget.embedded(ports.controlPostgres())
                : PostgresTarget.parse(c.trim(), "AIRLOCK_CONTROL_DB_URL");
        PostgresTarget enclaveDb = e == null || e.isBlank() ? PostgresTarget.embedded(ports.enclavePostgres())
                : PostgresTarget.parse(e.trim(), "AIRLOCK_ENCLAVE_DB_URL");
        Duration timeout = Duration.ofSeconds(240);
        String t = env.get("AIRLOCK_START_TIMEOUT");
        if (t != null && !t.isBlank()) {
            try {
                timeout = Duration.ofSeconds(Long.parseLong(t.trim()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("AIRLOCK_START_TIMEOUT must be a number of seconds, got '" + t + "'");
            }
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new StackSettings(root, home, ports, java, controlDb, enclaveDb, timeout);
    }

    public Path stateFile() {
        return home.resolve("stack.json");
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path log(String name) {
        return logs().resolve(name + ".log");
    }

    public Path data() {
        return home.resolve("data");
    }

    /** Working directory and generated configuration of one process. */
    public Path run(String name) {
        return home.resolve("run").resolve(name);
    }

    public Path site() {
        return home.resolve("site");
    }

    public Path demo() {
        return home.resolve("demo");
    }

    /** The user's own additions to a process's generated configuration, appended after it (never overwritten). */
    public Path override(String name) {
        return home.resolve("overrides").resolve(name + ".properties");
    }

    public String describePorts() {
        return String.format(Locale.ROOT, "Kafka control %d / enclave %d, PostgreSQL control %d / enclave %d, HTTP planner %d, "
                        + "approval %d, evidence %d, diode UDP %d", ports.controlKafka(), ports.enclaveKafka(),
                controlDb.port(), enclaveDb.port(), ports.planner(), ports.approval(), ports.evidence(), ports.diode());
    }
}
