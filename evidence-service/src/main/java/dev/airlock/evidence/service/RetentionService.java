package dev.airlock.evidence.service;

import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.evidence.config.EvidenceKey;
import dev.airlock.evidence.repository.EvidenceLeaf;
import dev.airlock.evidence.repository.LogHead;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Retention (ARCHITECTURE §3.1 {@code retentionDays}, §3.6): bundle bodies older than their environment's retention
 * are set to null; their leaf hashes and receipts stay, so every proof stays valid. Each purge is itself a log entry,
 * a DSSE envelope of type {@code application/vnd.airlock.evidence-purge.v1+json} signed by the evidence key, payload
 * {@code {"schema":"airlock.evidence.purge/v1","log","environment","retentionDays","cutoff","purgedAt",
 * "policyVersion","count","ranges":[[first,last],…]}} — so a purge is as tamper-evident as the evidence it removed.
 */
@ApplicationScoped
public class RetentionService {
    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    public static final String PURGE_SCHEMA = "airlock.evidence.purge/v1";

    private final PolicyService policies;
    private final EvidenceLog log;
    private final EvidenceKey key;
    private final Clock clock;

    @Inject
    public RetentionService(PolicyService policies, EvidenceLog log, EvidenceKey key, Clock clock) {
        this.policies = policies;
        this.log = log;
        this.key = key;
        this.clock = clock;
    }

    /** One environment's purge: how many bodies, and the log index of the purge record. */
    public record Purge(String environment, int retentionDays, int count, long purgeRecordIndex) {
    }

    /** Purges every environment now; returns what was purged. */
    public Uni<List<Purge>> purgeNow() {
        Optional<TrustedPolicy> policy = policies.current();
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select distinct environment from evidence_leaf where entry_kind = 'bundle' and entry is not null",
                        String.class).getResultList()))
                .chain(envs -> Multi.createFrom().iterable(envs)
                        .onItem().transformToUniAndConcatenate(env -> purge(env, policy))
                        .filter(p -> p.count() > 0)
                        .collect().asList());
    }

    private Uni<Purge> purge(String environment, Optional<TrustedPolicy> policy) {
        int days = policy.flatMap(p -> p.environment(environment)).map(Policy.Environment::retentionDaysOrDefault)
                .orElse(365);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant cutoff = now.minus(Duration.ofDays(days));
        return Panache.withTransaction(() -> Panache.getSession().chain(s ->
                s.find(LogHead.class, LogHead.ID, LockModeType.PESSIMISTIC_WRITE).chain(head -> s.createNativeQuery(
                                "select leaf_index from evidence_leaf where entry_kind = 'bundle' and environment = ?1 "
                                        + "and entry is not null and received_at < ?2 order by leaf_index", Long.class)
                        .setParameter(1, environment)
                        .setParameter(2, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
                        .getResultList()
                        .chain(indices -> indices.isEmpty()
                                ? Uni.createFrom().item(new Purge(environment, days, 0, -1))
                                : purgeRows(s, environment, days, cutoff, now, indices, policy)))));
    }

    private Uni<Purge> purgeRows(Mutiny.Session s, String environment, int days, Instant cutoff, Instant now,
                                 List<Long> indices, Optional<TrustedPolicy> policy) {
        List<long[]> ranges = ranges(indices);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("schema", PURGE_SCHEMA);
        record.put("log", key.id());
        record.put("environment", environment);
        record.put("retentionDays", days);
        record.put("cutoff", StrictJson.formatInstant(cutoff));
        record.put("purgedAt", StrictJson.formatInstant(now));
        record.put("policyVersion", policy.map(TrustedPolicy::version).orElse(null));
        record.put("count", indices.size());
        record.put("ranges", ranges);
        byte[] entry = Dsse.sign(PayloadTypes.EVIDENCE_PURGE, StrictJson.write(record), key.key()).toJson();
        EvidenceLeaf draft = new EvidenceLeaf();
        draft.entryKind = EvidenceLeaf.PURGE;
        draft.environment = environment;
        draft.signer = key.id();
        draft.policyVersion = policy.map(TrustedPolicy::version).orElse(null);
        draft.receivedAt = clock.instant();
        draft.egressMode = ProjectionService.LOCAL_ONLY;
        StringBuilder in = new StringBuilder();
        for (long[] r : ranges) {
            if (in.length() > 0) {
                in.append(" or ");
            }
            in.append("leaf_index between ").append(r[0]).append(" and ").append(r[1]);
        }
        return s.createNativeQuery("update evidence_leaf set entry = null, purged_at = ?1 where entry_kind = 'bundle' "
                        + "and environment = ?2 and (" + in + ")")
                .setParameter(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .setParameter(2, environment)
                .executeUpdate()
                .chain(n -> log.append(s, entry, draft))
                .map(a -> {
                    LOG.infof("Retention: purged %d bundle bodies of %s older than %d days; purge record is leaf %d",
                            indices.size(), environment, days, a.leaf().leafIndex);
                    return new Purge(environment, days, indices.size(), a.leaf().leafIndex);
                });
    }

    static List<long[]> ranges(List<Long> sorted) {
        List<long[]> out = new ArrayList<>();
        long start = -1;
        long prev = -2;
        for (long i : sorted) {
            if (i != prev + 1) {
                if (start >= 0) {
                    out.add(new long[] {start, prev});
                }
                start = i;
            }
            prev = i;
        }
        if (start >= 0) {
            out.add(new long[] {start, prev});
        }
        return out;
    }
}
