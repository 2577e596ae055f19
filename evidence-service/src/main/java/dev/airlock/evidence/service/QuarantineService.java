package dev.airlock.evidence.service;

import dev.airlock.core.crypto.Hex;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Keeps what could not be verified (unknown key, bad signature, no policy, a refused policy): the exact bytes, the
 * reason code and detail. Quarantined records are not log entries; the same bytes are kept once.
 */
@ApplicationScoped
public class QuarantineService {
    private static final Logger LOG = Logger.getLogger(QuarantineService.class);

    private final Clock clock;

    @Inject
    public QuarantineService(Clock clock) {
        this.clock = clock;
    }

    public Uni<Void> record(String kind, byte[] bytes, String reason, String detail, String source) {
        LOG.warnf("Quarantined %s from %s: %s %s", kind, source, reason, detail);
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into quarantine (sha256, kind, reason, detail, bytes, received_at, source) "
                                + "values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (sha256) do nothing")
                .setParameter(1, Hex.digest(bytes))
                .setParameter(2, kind)
                .setParameter(3, reason)
                .setParameter(4, detail)
                .setParameter(5, bytes)
                .setParameter(6, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
                .setParameter(7, source)
                .executeUpdate())).replaceWithVoid();
    }
}
