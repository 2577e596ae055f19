package dev.airlock.evidence.service;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.repository.EvidenceLeaf;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Optional;

/**
 * One evidence bundle from {@code airlock.evidence.raw.v1}: verified against the keys of the policy in force
 * (verify before parse), appended to the log exactly as received, then projected per the environment's egress
 * (after the commit, from the outbox columns of the leaf row).
 * Anything that does not verify is quarantined with its reason; only bytes that are not even a DSSE envelope of an
 * in-toto Statement are poison for the dead-letter topic.
 */
@ApplicationScoped
public class IngestService {
    private static final Logger LOG = Logger.getLogger(IngestService.class);
    public static final StrictJson.Limits LIMITS = StrictJson.SIGNED.withMaxBytes(16L * 1024 * 1024);

    private final PolicyService policies;
    private final QuarantineService quarantine;
    private final EvidenceLog log;
    private final ProjectionService projections;
    private final Clock clock;

    @Inject
    public IngestService(PolicyService policies, QuarantineService quarantine, EvidenceLog log,
                         ProjectionService projections, Clock clock) {
        this.policies = policies;
        this.quarantine = quarantine;
        this.log = log;
        this.projections = projections;
        this.clock = clock;
    }

    /** What became of a bundle. */
    public record Outcome(String status, Long logIndex, String reason) {
        public static final String APPENDED = "appended";
        public static final String DUPLICATE = "duplicate";
        public static final String QUARANTINED = "quarantined";
    }

    /**
     * @throws VerificationException MALFORMED or TOO_LARGE when the bytes are not a DSSE envelope of an in-toto
     *                               Statement at all (poison)
     */
    public Uni<Outcome> ingest(byte[] bytes, String source) throws VerificationException {
        Envelope env = Envelope.parse(bytes, LIMITS);
        env.requirePayloadType(PayloadTypes.IN_TOTO);
        Optional<TrustedPolicy> policy = policies.current();
        if (policy.isEmpty()) {
            return quarantined(bytes, ReasonCode.POLICY_INVALID.name(), "no policy in force to verify evidence against",
                    source);
        }
        EvidenceBundles.Verified v;
        try {
            v = EvidenceBundles.verify(bytes, policy.get());
        } catch (VerificationException e) {
            return quarantined(bytes, e.reason().name(), e.detail(), source);
        }
        EvidenceLeaf draft = draft(v, policy.get());
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> log.append(s, bytes, draft)))
                // Transactional outbox: the leaf row records the egress decision; the projection is published after
                // the commit without holding up the next bundle, and ProjectionService.projectPending() publishes
                // whatever a crash or a broker outage left unacknowledged.
                .invoke(a -> projections.projectLater(a.leaf()))
                .map(a -> {
                    if (a.duplicate()) {
                        LOG.debugf("Duplicate bundle for %s from %s: already leaf %d", draft.capsuleId, source,
                                a.leaf().leafIndex);
                    }
                    return new Outcome(a.duplicate() ? Outcome.DUPLICATE : Outcome.APPENDED, a.leaf().leafIndex, null);
                });
    }

    private Uni<Outcome> quarantined(byte[] bytes, String reason, String detail, String source) {
        return quarantine.record("bundle", bytes, reason, detail, source)
                .replaceWith(new Outcome(Outcome.QUARANTINED, null, reason));
    }

    private EvidenceLeaf draft(EvidenceBundles.Verified v, TrustedPolicy policy) {
        EvidencePredicate p = v.statement().predicate();
        EvidenceLeaf l = new EvidenceLeaf();
        l.entryKind = EvidenceLeaf.BUNDLE;
        l.capsuleId = p.capsuleId();
        l.environment = p.environment();
        l.outcome = p.outcome();
        l.reason = p.admission().reason() != null ? p.admission().reason()
                : p.failure() != null ? p.failure().reason() : null;
        l.tier = p.tier();
        l.signer = v.signer();
        l.policyVersion = policy.version();
        l.startedAt = p.startedAt();
        l.finishedAt = p.finishedAt();
        l.receivedAt = clock.instant();
        // Egress is decided now, from the policy in force, and kept with the leaf (fail closed: an environment the
        // policy does not name publishes nothing).
        Optional<Policy.Environment> env = policy.environment(p.environment());
        Policy.Egress egress = env.map(Policy.Environment::egress).orElse(new Policy.Egress(ProjectionService.LOCAL_ONLY,
                java.util.List.of()));
        l.egressMode = egress.mode();
        l.egressAllow = ProjectionService.SANITIZED.equals(egress.mode())
                ? new String(StrictJson.write(egress.sanitizedAllow()), java.nio.charset.StandardCharsets.UTF_8) : null;
        return l;
    }
}
