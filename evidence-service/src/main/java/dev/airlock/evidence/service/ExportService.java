package dev.airlock.evidence.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.EvidenceExport;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.evidence.repository.CheckpointRow;
import dev.airlock.evidence.repository.EvidenceLeaf;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds an {@link EvidenceExport}: a fresh signed checkpoint, then every stored bundle (of one environment, received
 * since a time) as a sanitized projection re-signed by the evidence key with its inclusion proof against that
 * checkpoint. Always sanitized, whatever the environment's egress mode: for {@code sanitized} environments with the
 * policy's {@code sanitizedAllow} as it is now, for the others with an empty allow-list (everything but the subject
 * and capsule id redacted). Purged bundles are not exported (their bodies are gone; their leaves stay provable).
 */
@ApplicationScoped
public class ExportService {
    private final EvidenceLog log;
    private final ProjectionService projections;
    private final PolicyService policies;
    private final Clock clock;

    @Inject
    public ExportService(EvidenceLog log, ProjectionService projections, PolicyService policies, Clock clock) {
        this.log = log;
        this.projections = projections;
        this.policies = policies;
        this.clock = clock;
    }

    public Uni<EvidenceExport> export(String environment, Instant since) {
        return log.checkpointNow().onItem().ifNull().failWith(() -> new dev.airlock.evidence.domain.Problem(503,
                "Service Unavailable", "the log is not open yet; try again in a moment")).chain(cp -> Panache.withSession(() -> Panache.getSession().chain(s ->
                leaves(environment, since, cp.size).chain(rows -> Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(l -> entry(s, l, cp))
                        .collect().asList()
                        .map(entries -> new EvidenceExport(EvidenceExport.SCHEMA, log.logId(), environment, since,
                                clock.instant().truncatedTo(ChronoUnit.SECONDS),
                                parse(cp.envelope), entries))))));
    }

    private Uni<List<EvidenceLeaf>> leaves(String environment, Instant since, long size) {
        List<String> where = new ArrayList<>(List.of("entryKind = 'bundle'", "entry is not null",
                "leafIndex < :size"));
        Parameters p = Parameters.with("size", size);
        if (environment != null) {
            where.add("environment = :environment");
            p.and("environment", environment);
        }
        if (since != null) {
            where.add("receivedAt >= :since");
            p.and("since", since);
        }
        return EvidenceLeaf.list(String.join(" and ", where), Sort.by("leafIndex"), p);
    }

    private Uni<EvidenceExport.Entry> entry(Mutiny.Session s, EvidenceLeaf l, CheckpointRow cp) {
        Optional<TrustedPolicy> policy = policies.current();
        List<String> allow = policy.flatMap(p -> p.environment(l.environment))
                .map(Policy.Environment::egress)
                .filter(e -> ProjectionService.SANITIZED.equals(e.mode()))
                .map(Policy.Egress::sanitizedAllow)
                .orElse(List.of());
        Envelope sanitized = projections.sanitize(l, ProjectionService.statement(l.entry), allow);
        return log.compute(s, cp.size, t -> t.inclusionProof(l.leafIndex, cp.size))
                .map(proof -> new EvidenceExport.Entry(l.leafIndex, Hex.encode(l.leafHash),
                        proof.stream().map(Hex::encode).toList(), sanitized));
    }

    private static Envelope parse(byte[] envelope) {
        try {
            return Envelope.parse(envelope);
        } catch (dev.airlock.core.verify.VerificationException e) {
            throw new IllegalStateException("a stored checkpoint does not parse", e);
        }
    }
}
