package dev.airlock.runner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The runner's configuration (SERVICE-CONTRACTS "Configuration keys", runner-service/README.md). Every key can also be
 * given as an environment variable the way Quarkus maps them ({@code AIRLOCK_RUNNER_STATE_DIR}).
 */
@ConfigMapping(prefix = "airlock.runner")
public interface RunnerConfig {

    /** The runner principal: names the runner in evidence ({@code predicate.runner.id}); its key must be in the policy. */
    @WithDefault("runner.edge-7")
    String id();

    /** PKCS#8 PEM private key of the runner principal; signs every evidence bundle. */
    Path key();

    /** The policy environment ({@code environments[].name}) this runner works for; other admissions are skipped. */
    @WithDefault("dev-enclave")
    String environment();

    /** SubjectPublicKeyInfo PEM of the gateway key: an admission counts only if this key signed it. */
    Path gatewayPublicKey();

    /**
     * Workspaces by repository ({@code capsule.target.repository}): a local directory, usually a git checkout. A capsule
     * for a repository without a workspace here is rejected with evidence ({@code NO_WORKSPACE}).
     */
    Map<String, Path> workspaces();

    /** Journal, evidence spool, executed-capsule record and validation homes. Owned by the runner alone. */
    @WithDefault("/var/lib/airlock-runner")
    Path stateDir();

    /** Bytes of stdout and of stderr kept in the evidence per validation step; the hash covers the full stream. */
    @WithDefault("65536")
    int outputCapBytes();

    /** Network namespace for validations: {@code auto} (use {@code unshare -n} when it works), {@code required}, {@code off}. */
    @WithDefault("auto")
    NetworkIsolation networkIsolation();

    /** {@code PATH} of validation processes (the environment is otherwise scrubbed). */
    @WithDefault("/usr/local/bin:/usr/bin:/bin")
    String validationPath();

    /** {@code HOME} of validation processes; absent: a fresh empty directory under the state dir per step. */
    Optional<Path> validationHome();

    /** {@code JAVA_HOME} passed to validation processes, when set. */
    Optional<String> javaHome();

    /** Further fixed environment variables for validation processes, set by the operator (never by a capsule). */
    Map<String, String> validationEnvironment();

    /** Status file (JSON), rewritten on every change: the runner's health without a port. */
    Optional<Path> statusFile();

    /** Prometheus text file for node-exporter's textfile collector. */
    Optional<Path> metricsFile();

    /** How often bundles still in the spool are offered to the broker again. */
    @WithDefault("PT30S")
    Duration spoolRetryInterval();

    /** Admissions accepted from the broker and not yet finished, across all workspaces (bounds memory). */
    @WithDefault("16")
    int maxInFlight();

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:runner-service")
    String source();

    enum NetworkIsolation {
        AUTO, REQUIRED, OFF
    }
}
