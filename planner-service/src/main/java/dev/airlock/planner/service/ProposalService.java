package dev.airlock.planner.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.fleet.CapsuleIds;
import dev.airlock.planner.fleet.DependencyBumpFleet;
import dev.airlock.planner.fleet.Draft;
import dev.airlock.planner.fleet.ExternalPatch;
import dev.airlock.planner.fleet.FleetRefusal;
import dev.airlock.planner.fleet.ProposalGuard;
import dev.airlock.planner.messaging.ProposalsPublisher;
import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.ProposalEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.repository.ServiceEntity;
import dev.airlock.planner.repository.TierDecisionEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fleets and the proposal outbox (ARCHITECTURE §8). The built-in {@code dependency-bump} fleet runs for every open
 * finding whose tier is above T0 and differs from the tier it was last proposed at; external agents post diffs.
 * Either way the draft is checked against the policy in force ({@link ProposalGuard}) before it is signed with the
 * fleet key, and the signed capsule is stored (status PENDING) in the same transaction that takes its lineage
 * sequence, then published on {@code airlock.proposals.v1} and marked PUBLISHED once the broker acknowledged it
 * (persist, then emit; a PENDING row left by a crash is re-published by the next cycle, and consumers de-duplicate by
 * capsule id). T0 is never proposed: the fleet skips it, the commit re-checks it under a row lock, and the table
 * refuses a non-refused T0 row.
 */
@ApplicationScoped
public class ProposalService {

    private static final Logger LOG = Logger.getLogger(ProposalService.class);
    public static final String PROPOSAL_SCHEMA = "airlock.proposal/v1";
    public static final String BUILT_IN_FLEET = "dependency-bump";
    /** A PENDING row younger than this belongs to a publication still in flight. */
    private static final Duration REPUBLISH_AFTER = Duration.ofSeconds(20);

    @Inject
    PlannerConfig config;
    @Inject
    Clock clock;
    @Inject
    PolicyService policies;
    @Inject
    ProposalsPublisher publisher;
    @Inject
    Vertx vertx;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile SigningKey fleetKey;

    /** What a proposal is built from, read in one session before the blocking fleet work. */
    record Snapshot(FindingEntity finding, ReachabilityEntity reach, TierDecisionEntity decision,
                    ServiceEntity service) {
    }

    /**
     * Runs a cycle (due proposals, then the outbox) on a fresh Vert.x context; a kick while one runs makes it run
     * once more afterwards. Never blocks the caller.
     */
    public void kick() {
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return;
        }
        freshContext().runOnContext(v -> loop());
    }

    /** A new duplicated context flagged safe: Hibernate Reactive keeps its session there, isolated from callers. */
    private Context freshContext() {
        Context ctx = VertxContext.createNewDuplicatedContext(vertx.getDelegate().getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(ctx, true);
        return ctx;
    }

    private void loop() {
        again.set(false);
        cycle().subscribe().with(ok -> finish(), failure -> {
            LOG.warnf("Proposal cycle failed: %s", failure.toString());
            finish();
        });
    }

    private void finish() {
        running.set(false);
        if (again.get() && running.compareAndSet(false, true)) {
            freshContext().runOnContext(v -> loop());
        }
    }

    Uni<Void> cycle() {
        return policies.load().chain(this::proposeDue).chain(this::republishPending);
    }

    private Uni<Void> proposeDue() {
        if (!config.autoPropose() || policies.current().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withSession(() -> FindingEntity.<FindingEntity>list("status = 'OPEN' and tier is not null"
                        + " and tier <> 'T0' and (proposedTier is null or proposedTier <> tier) order by id"))
                .chain(due -> Uniq.run(due.stream().map(f -> f.id).toList(), id -> proposeBuiltIn(id, false)
                        .onFailure(ApiException.class).recoverWithItem(e -> {
                            LOG.infof("No proposal for finding %d yet: %s", id, e.getMessage());
                            return null;
                        })));
    }

    /**
     * Runs the dependency-bump fleet for one finding. {@code force} re-proposes even when a proposal for the current
     * tier exists (a new capsule with the next sequence of its lineage). Returns the stored proposal or refusal.
     */
    public Uni<ProposalEntity> proposeBuiltIn(long findingId, boolean force) {
        Executor here = contextExecutor();
        return policies.load().chain(() -> snapshot(findingId)).chain(snap -> {
            FindingEntity f = snap.finding();
            if (!force && !due(f)) {
                return Uni.createFrom().nullItem();
            }
            if ("T0".equals(f.tier) || f.tier == null) {
                return Uni.createFrom().failure(new ApiException(422, ReasonCode.TIER_NOT_AUTHORIZABLE.name(),
                        "finding " + f.id + " is " + f.tier + " (unreachable): parked with its evidence, never"
                                + " proposed", null));
            }
            TrustedPolicy policy = policyInForce();
            SigningKey key = key();
            if (f.componentPurl == null) {
                return refuse(snap, new FleetRefusal("NOT_DECLARED", "the finding names no component"), null);
            }
            if (f.fixedVersion == null) {
                return refuse(snap, new FleetRefusal("NO_FIX_AVAILABLE", "no fixed version is known for "
                        + f.componentPurl), null);
            }
            Target target;
            try {
                target = target(snap);
            } catch (FleetRefusal r) {
                return refuse(snap, r, null);
            }
            Purl component = f.componentPurl == null ? null : Purl.parse(f.componentPurl).orElse(null);
            Policy.Environment env = policy.environment(target.environment()).orElse(null);
            List<List<String>> allowed = env == null ? List.of() : env.validationCommands();
            return vertx.executeBlocking(Uni.createFrom().item(() -> {
                        try {
                            if (component == null) {
                                throw new FleetRefusal("NOT_DECLARED", "the finding names no component");
                            }
                            return (Object) DependencyBumpFleet.draft(target.mirror(), target.repository(),
                                    component, f.fixedVersion, allowed, config.validationTimeoutSeconds());
                        } catch (FleetRefusal r) {
                            return r;
                        } catch (IOException e) {
                            return new FleetRefusal("NO_REPOSITORY", "cannot read the mirror of " + target.repository()
                                    + ": " + e.getMessage());
                        }
                    })).emitOn(here)
                    .chain(result -> {
                        if (result instanceof FleetRefusal r) {
                            return refuse(snap, r, target);
                        }
                        Draft draft = (Draft) result;
                        try {
                            ProposalGuard.check(policy, target.environment(), f.tier, config.fleetId(), key, draft);
                        } catch (VerificationException e) {
                            return refuse(snap, FleetRefusal.of(e), target);
                        }
                        return commit(snap, BUILT_IN_FLEET, target.environment(), draft, summary(f, draft), force,
                                policy, key);
                    })
                    .call(p -> p != null && "PENDING".equals(p.status) ? publish(p) : Uni.createFrom().voidItem());
        });
    }

    /** An externally posted unified diff for a finding (ARCHITECTURE §8 "external agents POST a unified diff"). */
    public Uni<ProposalEntity> proposeExternal(String findingRef, String repository, String environment, String patch,
                                               List<Capsule.ValidationStep> validation, String agent, String note) {
        Executor here = contextExecutor();
        return policies.load().chain(() -> FindingQueries.resolve(findingRef)).chain(found -> snapshot(found.id))
                .chain(snap -> {
                    FindingEntity f = snap.finding();
                    if (f.tier == null || "T0".equals(f.tier)) {
                        return Uni.createFrom().failure(new ApiException(422, ReasonCode.TIER_NOT_AUTHORIZABLE.name(),
                                "finding " + f.id + " is " + f.tier + " (unreachable): parked with its evidence, never"
                                        + " proposed", null));
                    }
                    TrustedPolicy policy = policyInForce();
                    SigningKey key = key();
                    Path mirror = config.repositories().get(repository);
                    if (mirror == null) {
                        return Uni.createFrom().failure(new ApiException(422, "NO_REPOSITORY", "repository "
                                + repository + " has no configured mirror (airlock.planner.repositories)", null));
                    }
                    return vertx.executeBlocking(Uni.createFrom().item(() -> {
                                try {
                                    return (Object) ExternalPatch.draft(mirror, repository, patch, validation);
                                } catch (VerificationException e) {
                                    return e;
                                } catch (IOException e) {
                                    return new VerificationException(ReasonCode.SCOPE_VIOLATION,
                                            "cannot read the mirror of " + repository + ": " + e.getMessage());
                                }
                            })).emitOn(here)
                            .chain(result -> {
                                if (result instanceof VerificationException e) {
                                    return Uni.createFrom().failure(ApiException.of(e));
                                }
                                Draft draft = (Draft) result;
                                try {
                                    ProposalGuard.check(policy, environment, f.tier, config.fleetId(), key, draft);
                                } catch (VerificationException e) {
                                    return Uni.createFrom().failure(ApiException.of(e));
                                }
                                String summary = "external agent " + agent + ": " + (note == null ? "" : note + "; ")
                                        + String.join("; ", draft.edits());
                                return commit(snap, "external:" + agent, environment, draft, summary, true, policy,
                                        key);
                            })
                            .call(p -> p != null && "PENDING".equals(p.status) ? publish(p)
                                    : Uni.createFrom().voidItem());
                });
    }

    private record Target(String repository, Path mirror, String environment) {
    }

    private Target target(Snapshot snap) throws FleetRefusal {
        ServiceEntity s = snap.service();
        if (s == null) {
            throw new FleetRefusal("NO_REPOSITORY", "no service on the finding's reachability path names the"
                    + " repository it is built from");
        }
        String env = s.environment != null ? s.environment : config.defaultEnvironment();
        if (s.repository == null) {
            throw new FleetRefusal("NO_REPOSITORY", "service " + s.name + " names no repository in the service graph");
        }
        Path mirror = config.repositories().get(s.repository);
        if (mirror == null) {
            throw new FleetRefusal("NO_REPOSITORY", "repository " + s.repository + " has no configured mirror"
                    + " (airlock.planner.repositories.\"" + s.repository + "\")");
        }
        return new Target(s.repository, mirror, env);
    }

    private static boolean due(FindingEntity f) {
        return "OPEN".equals(f.status) && f.tier != null && !"T0".equals(f.tier) && !f.tier.equals(f.proposedTier);
    }

    private TrustedPolicy policyInForce() {
        TrustedPolicy p = policies.current().orElseThrow(() -> new ApiException(409, "NO_POLICY",
                "no policy is installed: nothing can be proposed", null));
        if (!clock.instant().isBefore(p.expiresAt())) {
            throw new ApiException(409, ReasonCode.POLICY_EXPIRED.name(), "policy version " + p.version()
                    + " expired at " + StrictJson.formatInstant(p.expiresAt()) + ": nothing is proposed under it",
                    null);
        }
        return p;
    }

    private SigningKey key() {
        SigningKey k = fleetKey;
        if (k != null) {
            return k;
        }
        Path path = config.fleetKey().orElseThrow(() -> new ApiException(409, "NO_FLEET_KEY",
                "airlock.planner.fleet-key is not configured: nothing can be signed", null));
        try {
            k = KeyFiles.readPrivate(path);
        } catch (IOException | KeyFormatException e) {
            // the message names the file, never its content
            throw new ApiException(409, "NO_FLEET_KEY", "cannot read the fleet key file " + path + ": "
                    + e.getClass().getSimpleName(), null);
        }
        fleetKey = k;
        return k;
    }

    private Uni<Snapshot> snapshot(long findingId) {
        return Panache.withSession(() -> FindingEntity.<FindingEntity>findById(findingId).chain(f -> {
            if (f == null) {
                return Uni.createFrom().failure(ApiException.notFound("finding " + findingId));
            }
            return ReachabilityEntity.<ReachabilityEntity>findById(f.id).chain(r -> TierDecisionEntity
                    .<TierDecisionEntity>find("findingId = ?1 order by id desc", f.id).firstResult()
                    .chain(d -> (r == null || r.service == null ? Uni.createFrom().<ServiceEntity>nullItem()
                            : ServiceEntity.<ServiceEntity>find("name = ?1 order by id", r.service).firstResult())
                            .map(s -> new Snapshot(f, r, d, s))));
        }));
    }

    private Uni<ProposalEntity> refuse(Snapshot snap, FleetRefusal r, Target target) {
        FindingEntity f = snap.finding();
        LOG.infof("Fleet %s refused finding %d (%s): %s %s", BUILT_IN_FLEET, f.id, f.tier, r.code(), r.detail());
        return Panache.withTransaction(() -> FindingEntity.<FindingEntity>findById(f.id,
                LockModeType.PESSIMISTIC_WRITE).chain(locked -> {
            if (locked == null || !f.tier.equals(locked.tier)) {
                return Uni.createFrom().nullItem();
            }
            ProposalEntity p = new ProposalEntity();
            p.findingId = f.id;
            p.fleet = BUILT_IN_FLEET;
            p.tier = locked.tier;
            p.status = "REFUSED";
            p.reasonCode = r.code();
            p.detail = r.detail();
            p.repository = target == null ? null : target.repository();
            p.environment = target == null ? null : target.environment();
            p.createdAt = clock.instant();
            locked.proposedTier = locked.tier;
            return p.<ProposalEntity>persist();
        }));
    }

    /** Lineage {@code <repository>:<CVE, else rule id, else vulnerability id>} (ARCHITECTURE §3.2). */
    static String lineage(String repository, FindingEntity f) {
        String what = f.cve != null ? f.cve : f.ruleId != null ? f.ruleId : f.vulnerabilityId;
        return repository + ":" + what;
    }

    private Uni<ProposalEntity> commit(Snapshot snap, String fleet, String environment, Draft draft, String summary,
                                       boolean force, TrustedPolicy policy, SigningKey key) {
        FindingEntity f = snap.finding();
        String lineage = lineage(draft.repository(), f);
        return Panache.withTransaction(() -> FindingEntity.<FindingEntity>findById(f.id,
                LockModeType.PESSIMISTIC_WRITE).chain(locked -> {
            // Re-checked under the row lock: the tier may have changed while the fleet worked.
            if (locked == null || !f.tier.equals(locked.tier) || "T0".equals(locked.tier)
                    || (!force && !due(locked))) {
                return Uni.createFrom().<ProposalEntity>nullItem();
            }
            return nextSequence(lineage).map(sequence -> {
                Instant now = clock.instant();
                Policy.Environment env = policy.environment(environment).orElseThrow();
                Capsule capsule = new Capsule(Capsule.SCHEMA, CapsuleIds.next(clock), lineage, sequence, now,
                        now.plus(config.capsuleValidity()), environment, env.mode(), locked.tier, policy.version(),
                        config.fleetId(), finding(locked, snap), new Capsule.Target(draft.repository(),
                        draft.baseRevision()), new Capsule.Manifest(draft.manifest()),
                        new Capsule.Change("unified-diff", draft.patch()), draft.validation(),
                        new Capsule.Rollback("restore-before-state"));
                Envelope envelope = Dsse.sign(PayloadTypes.CAPSULE, StrictJson.write(capsule), key);
                byte[] envelopeBytes = envelope.toJson();
                if (envelopeBytes.length > env.maxCapsuleBytesOrDefault()) {
                    throw new ApiException(422, ReasonCode.TOO_LARGE.name(), String.format(Locale.ROOT,
                            "capsule is %d bytes, environment %s allows %d", envelopeBytes.length, env.name(),
                            env.maxCapsuleBytesOrDefault()), null);
                }
                ProposalEntity p = new ProposalEntity();
                p.capsuleId = capsule.capsuleId();
                p.findingId = locked.id;
                p.fleet = fleet;
                p.lineage = lineage;
                p.sequence = sequence;
                p.tier = locked.tier;
                p.environment = environment;
                p.repository = draft.repository();
                p.status = "PENDING";
                p.summary = summary;
                p.envelope = envelopeBytes;
                p.capsuleDigest = envelope.payloadDigest();
                p.value = value(envelopeBytes, locked, snap, summary);
                p.createdAt = now;
                locked.proposedTier = locked.tier;
                return p;
            }).call(p -> p.persist());
        }));
    }

    private static Uni<Long> nextSequence(String lineage) {
        return Panache.getSession().chain(s -> s.createNativeQuery("INSERT INTO lineage_sequences (lineage,"
                        + " last_sequence) VALUES (:lineage, 1) ON CONFLICT (lineage) DO UPDATE SET last_sequence ="
                        + " lineage_sequences.last_sequence + 1 RETURNING last_sequence", Long.class)
                .setParameter("lineage", lineage).getSingleResult());
    }

    private static Capsule.Finding finding(FindingEntity f, Snapshot snap) {
        ReachabilityEntity r = snap.reach();
        Capsule.Reachability reach = r == null ? null : new Capsule.Reachability(r.reachable, JsonText.list(r.path));
        TierDecisionEntity d = snap.decision();
        Capsule.Exploitability ex = d == null ? null
                : new dev.airlock.planner.domain.Exploitability(d.kev, d.epss, d.ssvc).toCapsule();
        if (ex != null && ex.kev() == null && ex.epss() == null && ex.ssvc() == null) {
            ex = null;
        }
        return new Capsule.Finding(f.source, f.ruleId, f.fingerprint, f.cve, f.componentPurl, f.fixedVersion, reach,
                ex);
    }

    /** The value on airlock.proposals.v1 (SERVICE-CONTRACTS): the capsule DSSE object plus what a reviewer needs. */
    private static byte[] value(byte[] envelope, FindingEntity f, Snapshot snap, String summary) {
        ObjectNode v = StrictJson.mapper().createObjectNode();
        v.put("schema", PROPOSAL_SCHEMA);
        try {
            v.set("capsule", StrictJson.mapper().readTree(envelope));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        v.put("tier", f.tier);
        ObjectNode reach = v.putObject("reachability");
        ReachabilityEntity r = snap.reach();
        reach.put("reachable", r == null || r.reachable);
        ArrayNode path = reach.putArray("path");
        (r == null ? List.<String>of() : JsonText.list(r.path)).forEach(path::add);
        ArrayNode why = v.putArray("tierReasoning");
        (snap.decision() == null ? List.<String>of() : JsonText.list(snap.decision().reasoning)).forEach(why::add);
        v.put("summary", summary);
        v.put("findingId", f.fingerprint);
        return StrictJson.write(v);
    }

    private static String summary(FindingEntity f, Draft d) {
        Purl p = Purl.parse(f.componentPurl).orElseThrow();
        String coords = p.namespace() == null ? p.name() : p.namespace() + ":" + p.name();
        return String.format(Locale.ROOT, "%s: %s %s → %s in %s (%s); %s", BUILT_IN_FLEET, coords, p.version(),
                f.fixedVersion, d.repository(), f.cve != null && !f.cve.equals(f.vulnerabilityId)
                        ? f.vulnerabilityId + " / " + f.cve : f.vulnerabilityId, String.join("; ", d.edits()));
    }

    /** Publishes a stored proposal and marks it PUBLISHED once the broker acknowledged it. */
    Uni<Void> publish(ProposalEntity p) {
        if ("T0".equals(p.tier)) {
            // unreachable by construction (fleet filter, row-lock re-check, table constraint); kept as the last word
            return Uni.createFrom().failure(new IllegalStateException("refusing to publish a T0 proposal"));
        }
        Executor here = contextExecutor();
        return Uni.createFrom().completionStage(() -> publisher.publish(p.capsuleId, PROPOSAL_SCHEMA, p.value))
                .emitOn(here)
                .chain(() -> Panache.withTransaction(() -> ProposalEntity.update(
                        "status = 'PUBLISHED', publishedAt = ?1 where id = ?2 and status = 'PENDING'",
                        clock.instant(), p.id)))
                .invoke(() -> {
                    p.status = "PUBLISHED";
                    LOG.infof("Published proposal %s (%s, %s, lineage %s #%d)", p.capsuleId, p.tier, p.fleet,
                            p.lineage, p.sequence);
                })
                .replaceWithVoid();
    }

    private Uni<Void> republishPending() {
        Instant cutoff = clock.instant().minus(REPUBLISH_AFTER);
        return Panache.withSession(() -> ProposalEntity.<ProposalEntity>list(
                        "status = 'PENDING' and createdAt < ?1 order by id", cutoff))
                .chain(pending -> Uniq.run(new ArrayList<>(pending), this::publish));
    }

    /** Continues on the caller's Vert.x context after work elsewhere (the broker's threads, a worker). */
    private static Executor contextExecutor() {
        Context ctx = io.vertx.core.Vertx.currentContext();
        if (ctx == null) {
            throw new IllegalStateException("not on a Vert.x context");
        }
        return command -> ctx.runOnContext(v -> command.run());
    }
}
