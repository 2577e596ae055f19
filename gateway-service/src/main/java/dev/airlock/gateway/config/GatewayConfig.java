package dev.airlock.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code airlock.gateway.*} (SERVICE-CONTRACTS "Configuration keys"); every key is overridable by env var. */
@ConfigMapping(prefix = "airlock.gateway")
public interface GatewayConfig {

    /** The gateway's principal id in the policy; names the signer of admissions and of rejection evidence. */
    @WithDefault("gateway.enclave-1")
    String id();

    /** PKCS#8 PEM private key of the gateway principal: signs admissions and rejection evidence. */
    Path key();

    /**
     * The environment this gateway admits capsules for: a policy's {@code environments[].name}. A capsule for any
     * other environment is {@code ENVIRONMENT_MISMATCH}.
     */
    @WithDefault("dev-enclave")
    String environment();

    /**
     * Policy DSSE trusted on install (ARCHITECTURE §3.1) when the policy history in PostgreSQL is empty. Once a history
     * exists it is authoritative; later versions arrive only as verified rotations on {@code airlock.inbound.v1}.
     */
    Optional<Path> initialPolicy();

    /** A freeze alarm is raised when no signed diode heartbeat was sent within this window. */
    @WithDefault("PT2M")
    Duration heartbeatWindow();

    /** While the diode is stale: hold inbound records (nothing admitted, nothing rejected for staleness). */
    @WithDefault("true")
    boolean freezeWhenStale();

    /** Grace after start-up before staleness counts, so a fresh stack does not start frozen (default: the window). */
    Optional<Duration> heartbeatGrace();

    /** How often staleness is checked (the alarm does not wait for the next inbound record). */
    @WithDefault("PT5S")
    Duration heartbeatCheckInterval();

    /** Allowed clock skew for capsule {@code createdAt} and heartbeat {@code sentAt} in the future. */
    @WithDefault("PT5M")
    Duration clockSkew();

    /** Health without a port (ARCHITECTURE §1 invariant 2): a JSON status file rewritten as the gateway works. */
    Optional<Path> statusFile();

    /**
     * Metrics without a port: a Prometheus text file for node-exporter's textfile collector, rewritten atomically with
     * the status file (e.g. {@code /var/lib/prometheus/node-exporter/airlock-gateway.prom}).
     */
    Optional<Path> metricsFile();

    /** Admitted capsule ids and lineage heads kept in memory (an optimisation; PostgreSQL stays authoritative). */
    @WithDefault("1000000")
    int ledgerCacheSize();

    /**
     * Threads that check a chunk's capsules (signatures, parsing, scope) and sign its admissions at the same time
     * (default: one per available processor). The REPLAY checks against the ledger and policy rotations stay in
     * offset order on one thread whatever this is; 1 decides everything on that thread.
     */
    Optional<Integer> decisionThreads();

    /** CloudEvents {@code ce_source} of the records this gateway writes. */
    @WithDefault("urn:airlock:gateway-service")
    String source();
}
