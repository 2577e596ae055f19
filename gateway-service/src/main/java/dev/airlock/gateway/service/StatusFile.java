package dev.airlock.gateway.service;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.gateway.config.GatewayConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Health without a port (ARCHITECTURE §1 invariant 2): the gateway rewrites a small JSON file (atomically: write,
 * then rename) that the launcher reads. Nothing in it is secret.
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
        if (target.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
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
        s.put("lastHeartbeat", freshness.lastHeartbeat().map(StrictJson::formatInstant).orElse(null));
        s.put("stale", freshness.stale());
        s.put("frozen", freshness.frozen());
        s.put("updatedAt", StrictJson.formatInstant(now));
        Path file = target.get().toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, StrictJson.write(s));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warnf("Cannot write the status file %s: %s", file, e.getMessage());
        }
    }
}
