package dev.airlock.evidence.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.evidence.SanitizedEvidence;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.config.EvidenceKey;
import dev.airlock.evidence.domain.Sanitizer;
import dev.airlock.evidence.messaging.EvidenceMetadataPublisher;
import dev.airlock.evidence.messaging.EvidenceSanitizedPublisher;
import dev.airlock.evidence.repository.EvidenceLeaf;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Egress projections (ARCHITECTURE §3.1 {@code egress}, §4), decided per leaf at append time from the policy then in
 * force and stored with the leaf, so a policy change applies from that point on and a redelivery re-publishes the
 * same projection:
 * <ul>
 * <li>{@code local-only}: nothing leaves the log.</li>
 * <li>{@code metadata-only}: the §4 record on {@code airlock.evidence.metadata.v1}, and nothing on the sanitized topic.</li>
 * <li>{@code sanitized}: the evidence-signed {@link SanitizedEvidence} on {@code airlock.evidence.sanitized.v1}, and
 * nothing on the metadata topic (its fields, such as the outcome, are only in clear if {@code sanitizedAllow} says
 * so).</li>
 * </ul>
 * The leaf row is the outbox: its {@code projected_at} is set once the broker acknowledged the projection; a relay
 * re-publishes rows left without it. A projection may therefore be published twice (after a crash between the ack and
 * the flag); both copies carry the same {@code ce_id} ({@code <log>:<index>:<mode>}), for consumers to collapse.
 */
@ApplicationScoped
public class ProjectionService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProjectionService.class);
    public static final String LOCAL_ONLY = "local-only";
    public static final String METADATA_ONLY = "metadata-only";
    public static final String SANITIZED = "sanitized";
    public static final String METADATA_SCHEMA = "airlock.evidence.metadata/v1";

    private final EvidenceKey key;
    private final EvidenceMetadataPublisher metadata;
    private final EvidenceSanitizedPublisher sanitized;
    private final Clock clock;

    @Inject
    public ProjectionService(EvidenceKey key, EvidenceMetadataPublisher metadata, EvidenceSanitizedPublisher sanitized,
                             Clock clock) {
        this.key = key;
        this.metadata = metadata;
        this.sanitized = sanitized;
        this.clock = clock;
    }

    /**
     * Publishes the projection of a just-committed leaf in the background; failures are retried by the relay. Once the
     * broker acknowledged it, the leaf joins the next group update of {@code projected_at} ({@link #markLater}) instead
     * of a transaction of its own.
     */
    public void projectLater(EvidenceLeaf leaf) {
        if (pending(leaf)) {
            publishOnContext(leaf).subscribe().with(v -> markLater(leaf.leafIndex), t -> LOG.warnf("Projection of "
                    + "leaf %d not published yet (%s); the outbox relay retries it", leaf.leafIndex, t.getMessage()));
        }
    }

    /** Leaves whose projection the broker acknowledged and whose {@code projected_at} is not written yet. */
    private final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean marking = new AtomicBoolean();
    /** Leaves per update statement (the rest wait for the next one, which starts as soon as this one ends). */
    static final int MARKS_PER_UPDATE = 500;

    /**
     * Group commit of the outbox flags: one update runs at a time, for every leaf acknowledged while the previous one
     * ran, so at a trickle each leaf gets its own and under load one transaction covers many (the per-leaf transaction
     * had been a commit, with its WAL flush, per bundle). Not waited for: a flag that a crash or a database error loses
     * is a leaf the relay publishes again, with the same {@code ce_id}.
     */
    void markLater(long leafIndex) {
        acknowledged.add(leafIndex);
        drainMarks();
    }

    private void drainMarks() {
        while (!acknowledged.isEmpty() && marking.compareAndSet(false, true)) {
            List<Long> batch = new ArrayList<>();
            for (Long i; batch.size() < MARKS_PER_UPDATE && (i = acknowledged.poll()) != null; ) {
                batch.add(i);
            }
            if (batch.isEmpty()) {
                marking.set(false);
                continue; // another drain took them; look again in case more came meanwhile
            }
            markProjected(batch).subscribe().with(n -> {
                marking.set(false);
                drainMarks();
            }, t -> {
                LOG.warnf("Projection flags of %d leaves not written (%s); the outbox relay publishes them again",
                        batch.size(), t.getMessage());
                marking.set(false);
                drainMarks();
            });
            return;
        }
    }

    private Uni<Integer> markProjected(List<Long> leafIndexes) {
        StringJoiner in = new StringJoiner(",", "(", ")");
        leafIndexes.forEach(i -> in.add(Long.toString(i)));
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "update evidence_leaf set projected_at = ?1 where leaf_index in " + in)
                .setParameter(1, java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC))
                .executeUpdate()));
    }

    /**
     * The outbox relay: publishes, in log order, the projections of leaves committed more than a few seconds ago whose
     * publication was never acknowledged (a crash between commit and publish, a broker outage).
     */
    public Uni<Integer> projectPending() {
        java.time.Instant before = clock.instant().minusSeconds(5);
        return Panache.withSession(() -> EvidenceLeaf.<EvidenceLeaf>find("projectedAt is null and entryKind = 'bundle' "
                        + "and entry is not null and egressMode <> 'local-only' and receivedAt < ?1",
                        io.quarkus.panache.common.Sort.by("leafIndex"), before).page(0, 500).list())
                .chain(rows -> io.smallrye.mutiny.Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(this::project)
                        .collect().asList().map(List::size));
    }

    private static boolean pending(EvidenceLeaf leaf) {
        return leaf.projectedAt == null && !LOCAL_ONLY.equals(leaf.egressMode) && leaf.entry != null
                && EvidenceLeaf.BUNDLE.equals(leaf.entryKind);
    }

    /** Publishes the projection of one leaf and records it as projected once the broker acknowledged it. */
    public Uni<Void> project(EvidenceLeaf leaf) {
        if (!pending(leaf)) {
            return Uni.createFrom().voidItem();
        }
        return publishOnContext(leaf).chain(() -> markProjected(List.of(leaf.leafIndex))).replaceWithVoid();
    }

    /**
     * Publishes the projection of one leaf; completes with the broker's acknowledgement, back on the caller's Vert.x
     * context (Hibernate Reactive sessions live on it).
     */
    private Uni<Void> publishOnContext(EvidenceLeaf leaf) {
        JsonNode statement = statement(leaf.entry);
        String ceId = key.id() + ":" + leaf.leafIndex + ":" + leaf.egressMode;
        Uni<Void> sent = switch (leaf.egressMode) {
            case METADATA_ONLY -> Uni.createFrom().completionStage(metadata.publish(leaf.capsuleId, METADATA_SCHEMA,
                    StrictJson.write(metadataRecord(leaf, statement)), ceId));
            case SANITIZED -> Uni.createFrom().completionStage(sanitized.publish(leaf.capsuleId,
                    PayloadTypes.SANITIZED_EVIDENCE, sanitize(leaf, statement).toJson(), ceId));
            default -> Uni.createFrom().voidItem();
        };
        // The broker's acknowledgement completes on a Kafka producer thread: come back to this Vert.x context before
        // touching the database (Hibernate Reactive sessions live on it).
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context != null) {
            sent = sent.emitOn(r -> context.runOnContext(v -> r.run()));
        }
        return sent;
    }

    /** The §4 metadata record plus its schema. */
    public static Map<String, Object> metadataRecord(EvidenceLeaf leaf, JsonNode statement) {
        JsonNode p = statement.path("predicate");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", METADATA_SCHEMA);
        m.put("capsuleId", leaf.capsuleId);
        m.put("environment", leaf.environment);
        m.put("tier", leaf.tier);
        m.put("outcome", leaf.outcome);
        JsonNode pv = p.path("admission").path("policyVersion");
        m.put("policyVersion", pv.isIntegralNumber() ? pv.longValue() : null);
        m.put("approverCount", p.path("admission").path("approvers").size());
        m.put("startedAt", leaf.startedAt == null ? null : StrictJson.formatInstant(leaf.startedAt));
        m.put("finishedAt", leaf.finishedAt == null ? null : StrictJson.formatInstant(leaf.finishedAt));
        m.put("logIndex", leaf.leafIndex);
        m.put("leafHash", Hex.encode(leaf.leafHash));
        return m;
    }

    /** The signed sanitized projection of a stored bundle under the allow-list recorded with it. */
    public Envelope sanitize(EvidenceLeaf leaf, JsonNode statement) {
        List<String> allow = allowList(leaf.egressAllow);
        return sanitize(leaf, statement, allow);
    }

    public Envelope sanitize(EvidenceLeaf leaf, JsonNode statement, List<String> allow) {
        SanitizedEvidence s = new SanitizedEvidence(SanitizedEvidence.SCHEMA, key.id(), leaf.leafIndex,
                Hex.encode(leaf.leafHash), leaf.capsuleId, leaf.environment,
                leaf.policyVersion == null ? 0 : leaf.policyVersion, allow, new Sanitizer(allow).sanitize(statement));
        return s.sign(key.key());
    }

    public static List<String> allowList(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return StrictJson.mapper().readValue(json, new TypeReference<List<String>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored allow-list does not parse", e);
        }
    }

    /** The Statement of a stored bundle (verified when it was appended). */
    public static JsonNode statement(byte[] entry) {
        try {
            Envelope env = Envelope.parse(entry, StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024));
            return StrictJson.readTree(env.payloadBytes(), StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024));
        } catch (VerificationException e) {
            throw new IllegalStateException("a stored bundle no longer parses: " + e.getMessage());
        }
    }
}
