package dev.airlock.gateway.service;

import dev.airlock.core.io.ReplacedFile;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.gateway.config.GatewayConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Health and metrics without a port (ARCHITECTURE §1 invariant 2): the gateway rewrites a small JSON status file that
 * the launcher reads and, if configured, a Prometheus text file for node-exporter's textfile collector, each atomically
 * (write, then rename) every second. Nothing in either is secret.
 */
@ApplicationScoped
public class StatusFile {
    public static final String SCHEMA = "airlock.gateway.status/v1";
    private static final Logger LOG = Logger.getLogger(StatusFile.class);

    private final GatewayConfig config;
    private final Clock clock;
    private final PolicyState policies;
    private final GatewayStats stats;
    private final DiodeFreshness freshness;
    private final GatewayIdentity gateway;
    private volatile boolean ready;

    @Inject
    public StatusFile(GatewayConfig config, Clock clock, PolicyState policies, GatewayStats stats,
            DiodeFreshness freshness, GatewayIdentity gateway) {
        this.config = config;
        this.clock = clock;
        this.policies = policies;
        this.stats = stats;
        this.freshness = freshness;
        this.gateway = gateway;
    }

    /** Marks the gateway started; the file says {@code "ready": true} from now on. */
    public void ready() {
        ready = true;
        write();
    }

    /** Rewritten every second: {@code updatedAt} doubles as the launcher's liveness signal. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (ready) {
            write();
        }
    }

    public synchronized void write() {
        Optional<Path> target = config.statusFile();
        Optional<Path> metrics = config.metricsFile();
        Instant now = clock.instant();
        metrics.ifPresent(m -> replace(m, metrics(now).getBytes(StandardCharsets.UTF_8)));
        if (target.isEmpty()) {
            return;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("schema", SCHEMA);
        s.put("gateway", gateway.id());
        s.put("environment", gateway.environment());
        s.put("ready", ready);
        Optional<TrustedPolicy> p = policies.current();
        s.put("policyVersion", p.map(TrustedPolicy::version).orElse(null));
        s.put("policyDigest", p.map(TrustedPolicy::digest).orElse(null));
        s.put("policyExpiresAt", p.map(x -> StrictJson.formatInstant(x.expiresAt())).orElse(null));
        s.put("policyExpired", p.map(x -> !now.isBefore(x.expiresAt())).orElse(true));
        s.put("admitted", stats.admitted());
        s.put("rejected", stats.rejected());
        s.put("policiesInstalled", stats.policiesInstalled());
        s.put("policiesRejected", stats.policiesRejected());
        s.put("unpublishableAdmissions", stats.unpublishable());
        s.put("lastHeartbeat", freshness.lastHeartbeat().map(StrictJson::formatInstant).orElse(null));
        s.put("stale", freshness.stale());
        s.put("frozen", freshness.frozen());
        s.put("updatedAt", StrictJson.formatInstant(now));
        replace(target.get(), StrictJson.write(s));
    }

    /** The Prometheus text exposition format (version 0.0.4) of the gateway's counters and gauges. */
    String metrics(Instant now) {
        Optional<TrustedPolicy> p = policies.current();
        StringBuilder m = new StringBuilder(1024);
        gauge(m, "airlock_gateway_up", "1 once the gateway has recovered its state and consumes.", ready ? 1 : 0);
        counter(m, "airlock_gateway_capsules_admitted_total", "Capsules admitted (all time, from PostgreSQL).",
                stats.admitted());
        counter(m, "airlock_gateway_capsules_rejected_total", "Capsules rejected (all time, from PostgreSQL).",
                stats.rejected());
        counter(m, "airlock_gateway_policies_installed_total", "Policies installed since the gateway started.",
                stats.policiesInstalled());
        counter(m, "airlock_gateway_policies_rejected_total", "Policies refused since the gateway started.",
                stats.policiesRejected());
        gauge(m, "airlock_gateway_policy_version", "Version of the policy in force (0 without one).",
                p.map(TrustedPolicy::version).orElse(0L));
        gauge(m, "airlock_gateway_policy_expiry_timestamp_seconds", "When the policy in force expires (Unix time).",
                p.map(x -> x.expiresAt().getEpochSecond()).orElse(0L));
        gauge(m, "airlock_gateway_diode_heartbeat_timestamp_seconds", "When the last diode heartbeat was sent.",
                freshness.lastHeartbeat().map(Instant::getEpochSecond).orElse(0L));
        gauge(m, "airlock_gateway_diode_stale", "1 while diode heartbeats are stale.", freshness.stale() ? 1 : 0);
        gauge(m, "airlock_gateway_unpublishable_admissions", "Admissions left in the outbox at start-up: their capsule"
                + " could not be read back from the broker (see the gateway's ERROR).", stats.unpublishable());
        gauge(m, "airlock_gateway_frozen", "1 while admissions are frozen (stale diode heartbeats).",
                freshness.frozen() ? 1 : 0);
        gauge(m, "airlock_gateway_last_update_timestamp_seconds", "When this file was written.", now.getEpochSecond());
        return m.toString();
    }

    private static void gauge(StringBuilder m, String name, String help, long value) {
        sample(m, name, help, "gauge", value);
    }

    private static void counter(StringBuilder m, String name, String help, long value) {
        sample(m, name, help, "counter", value);
    }

    private static void sample(StringBuilder m, String name, String help, String type, long value) {
        m.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }

    private static void replace(Path target, byte[] content) {
        try {
            ReplacedFile.replace(target, content);
        } catch (IOException e) {
            LOG.warnf("Cannot write %s: %s", target.toAbsolutePath(), e.getMessage());
        }
    }
}
