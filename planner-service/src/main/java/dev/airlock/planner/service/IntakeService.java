package dev.airlock.planner.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.planner.domain.ComponentRef;
import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.FindingInput;
import dev.airlock.planner.domain.OsvAdvisory;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;
import dev.airlock.planner.domain.ServiceGraph;
import dev.airlock.planner.intake.IntakeDocument;
import dev.airlock.planner.intake.IntakeException;
import dev.airlock.planner.intake.IntakeParser;
import dev.airlock.planner.reach.ReachabilityAnalyzer;
import dev.airlock.planner.reach.ReachabilityResult;
import dev.airlock.planner.reach.Tiering;
import dev.airlock.planner.repository.AdvisoryEntity;
import dev.airlock.planner.repository.ComponentDependencyEntity;
import dev.airlock.planner.repository.ComponentEntity;
import dev.airlock.planner.repository.ExploitabilityEntity;
import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.InboxEntry;
import dev.airlock.planner.repository.IntakeDocumentEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.repository.SbomEntity;
import dev.airlock.planner.repository.ServiceCallEntity;
import dev.airlock.planner.repository.ServiceEntity;
import dev.airlock.planner.repository.ServiceGraphEntity;
import dev.airlock.planner.repository.TierDecisionEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Takes in one parsed document in one transaction (nothing half-stored), then recomputes reachability and tiers of
 * every finding the new facts may change, inside the same transaction. Intake transactions are serialised by a
 * PostgreSQL advisory lock: reachability is a function of the whole system graph, so two documents must not be
 * folded in concurrently.
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);
    /** pg_advisory_xact_lock key of intake ("airlock-planner-intake" folded to 64 bits). */
    static final long INTAKE_LOCK = 0x41_69_72_6c_6f_63_6bL;

    @Inject
    Clock clock;

    /** What an intake did; {@code findings} are those the document named or produced. */
    public record Outcome(String kind, String digest, boolean duplicate, List<Long> findingIds, int components,
                          int services) {
    }

    /**
     * @param inboxId the Kafka record id ({@code topic/partition/offset}) to de-duplicate on, or null for REST
     */
    public Uni<Outcome> ingest(IntakeDocument doc, String name, String channel, String inboxId, String topic) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> lock()
                .chain(() -> inboxId == null ? Uni.createFrom().item(Boolean.FALSE)
                        : InboxEntry.findById(inboxId).map(Objects::nonNull))
                .chain(seen -> {
                    if (seen) {
                        LOG.debugf("Record %s was already taken in; nothing to do", inboxId);
                        return Uni.createFrom().item(new Outcome(doc.kind(), doc.digest(), true, List.of(), 0, 0));
                    }
                    return record(doc, name, channel, now)
                            .chain(() -> store(doc, now))
                            .call(() -> Panache.flush())
                            .chain(produced -> recompute(now).map(all -> outcome(doc, produced, all)))
                            .call(() -> inboxId == null ? Uni.createFrom().voidItem() : inbox(inboxId, topic, doc, now));
                }));
    }

    private static Outcome outcome(IntakeDocument doc, Set<String> produced, List<FindingEntity> all) {
        List<Long> ids = all.stream().filter(f -> produced.contains(f.fingerprint)).map(f -> f.id).sorted().toList();
        int components = doc instanceof IntakeDocument.CycloneDx c ? c.sbom().components().size() : 0;
        int services = doc instanceof IntakeDocument.Graph g ? g.graph().services().size() : 0;
        return new Outcome(doc.kind(), doc.digest(), false, ids, components, services);
    }

    private static Uni<Void> lock() {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT 1 FROM (SELECT pg_advisory_xact_lock(" + INTAKE_LOCK + ")) AS locked", Integer.class)
                .getSingleResult()).replaceWithVoid();
    }

    private static Uni<Void> inbox(String id, String topic, IntakeDocument doc, Instant now) {
        InboxEntry e = new InboxEntry();
        e.messageId = id;
        e.topic = topic;
        e.digest = doc.digest();
        e.receivedAt = now;
        return e.persist().replaceWithVoid();
    }

    private static Uni<Void> record(IntakeDocument doc, String name, String channel, Instant now) {
        IntakeDocumentEntity e = new IntakeDocumentEntity();
        e.kind = doc.kind();
        e.name = name;
        e.digest = doc.digest();
        e.channel = channel;
        e.receivedAt = now;
        return e.persist().replaceWithVoid();
    }

    /** Stores the document's facts; returns the fingerprints of the findings it named or produced. */
    private Uni<Set<String>> store(IntakeDocument doc, Instant now) {
        if (doc instanceof IntakeDocument.Sarif s) {
            return upsertAll(s.findings(), now);
        }
        if (doc instanceof IntakeDocument.Osv o) {
            return storeAdvisory(o, now)
                    .call(() -> Panache.flush())
                    .chain(() -> Model.load())
                    .chain(model -> upsertAll(osvFindings(o.advisory(), model.sboms(), o.sbom()), now));
        }
        if (doc instanceof IntakeDocument.CycloneDx c) {
            return storeSbom(c, now)
                    .call(() -> Panache.flush())
                    .chain(() -> AdvisoryEntity.<AdvisoryEntity>listAll())
                    .chain(advisories -> {
                        List<FindingInput> found = new ArrayList<>();
                        for (AdvisoryEntity a : advisories) {
                            try {
                                found.addAll(osvFindings(IntakeParser.storedOsv(a.document), List.of(c.sbom()), null));
                            } catch (IntakeException e) {
                                LOG.warnf("Stored advisory %s no longer parses: %s", a.id, e.getMessage());
                            }
                        }
                        return upsertAll(found, now);
                    });
        }
        if (doc instanceof IntakeDocument.Graph g) {
            return storeGraph(g, now).replaceWith(Set.<String>of());
        }
        IntakeDocument.ExploitabilityFeed f = (IntakeDocument.ExploitabilityFeed) doc;
        return storeExploitability(f, now).replaceWith(Set.<String>of());
    }

    private Uni<Set<String>> upsertAll(List<FindingInput> inputs, Instant now) {
        return Uniq.each(inputs, in -> upsert(in, now))
                .map(list -> list.stream().map(f -> f.fingerprint).collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    private static Uni<FindingEntity> upsert(FindingInput in, Instant now) {
        return FindingEntity.<FindingEntity>find("fingerprint", in.fingerprint()).firstResult().chain(existing -> {
            FindingEntity f = existing != null ? existing : new FindingEntity();
            if (existing == null) {
                f.fingerprint = in.fingerprint();
                f.firstSeen = now;
                f.status = "OPEN";
            }
            f.source = in.source();
            f.vulnerabilityId = in.vulnerabilityId();
            f.aliases = JsonText.of(in.aliases());
            f.cve = in.cve();
            f.ruleId = in.ruleId();
            f.tool = in.tool();
            f.title = in.title();
            f.severity = in.severity();
            f.componentPurl = in.component() == null ? null : in.component().label();
            f.sbomName = in.sbom();
            f.advisoryId = in.advisoryId();
            f.fixedVersion = in.fixedVersion();
            f.sarif = in.sarif();
            f.lastSeen = now;
            f.updatedAt = now;
            return existing != null ? Uni.createFrom().item(f) : f.<FindingEntity>persist();
        });
    }

    /** One finding per (advisory, SBOM component) match; the fingerprint is that triple. */
    static List<FindingInput> osvFindings(OsvAdvisory adv, List<Sbom> sboms, String onlySbom) {
        List<FindingInput> out = new ArrayList<>();
        for (Sbom sbom : sboms) {
            if (onlySbom != null && !onlySbom.equals(sbom.name())) {
                continue;
            }
            List<Sbom.Component> candidates = new ArrayList<>(sbom.components());
            if (sbom.rootPurl() != null && sbom.rootRef() != null) {
                candidates.add(new Sbom.Component(sbom.rootRef(), sbom.rootPurl(), null));
            }
            Set<String> seen = new LinkedHashSet<>();
            for (Sbom.Component c : candidates) {
                if (c.purl() == null || !seen.add(c.purl().toString())) {
                    continue;
                }
                var match = adv.match(c.purl());
                if (match.isEmpty()) {
                    continue;
                }
                Purl purl = c.purl();
                String cve = adv.cveOrId().startsWith("CVE-") ? adv.cveOrId() : null;
                String fp = Hex.digest(("osv\0" + adv.id() + "\0" + purl + "\0" + sbom.name())
                        .getBytes(StandardCharsets.UTF_8));
                out.add(new FindingInput(fp, "osv", adv.id(), adv.aliases(), cve, null, "osv", adv.summary(),
                        adv.severity(), new ComponentRef(purl), match.get().fixedVersion(), sbom.name(), adv.id(),
                        null));
            }
        }
        return out;
    }

    private static Uni<Void> storeAdvisory(IntakeDocument.Osv o, Instant now) {
        OsvAdvisory adv = o.advisory();
        return AdvisoryEntity.<AdvisoryEntity>findById(adv.id()).chain(existing -> {
            if (existing != null && existing.modified.compareTo(adv.modified()) > 0) {
                LOG.infof("OSV %s modified %s is older than the stored %s; keeping the stored entry", adv.id(),
                        adv.modified(), existing.modified);
                return Uni.createFrom().voidItem();
            }
            AdvisoryEntity a = existing != null ? existing : new AdvisoryEntity();
            a.id = adv.id();
            a.modified = adv.modified();
            a.aliases = JsonText.of(adv.aliases());
            a.summary = adv.summary();
            a.document = o.document();
            a.digest = o.digest();
            a.ingestedAt = now;
            return existing != null ? Uni.createFrom().voidItem() : a.persist().replaceWithVoid();
        });
    }

    private static Uni<Void> storeSbom(IntakeDocument.CycloneDx c, Instant now) {
        Sbom sbom = c.sbom();
        return SbomEntity.delete("name", sbom.name()).chain(() -> {
            SbomEntity s = new SbomEntity();
            s.name = sbom.name();
            s.serialNumber = sbom.serialNumber();
            s.specVersion = sbom.specVersion();
            s.rootRef = sbom.rootRef();
            s.rootPurl = sbom.rootPurl() == null ? null : sbom.rootPurl().toString();
            s.digest = c.digest();
            s.ingestedAt = now;
            List<Object> rows = new ArrayList<>();
            int i = 0;
            for (Sbom.Component comp : sbom.components()) {
                ComponentEntity e = new ComponentEntity();
                e.sbomName = sbom.name();
                e.bomRef = comp.bomRef();
                e.purl = comp.purl() == null ? null : comp.purl().toString();
                e.scope = comp.scope();
                e.position = i++;
                rows.add(e);
            }
            int j = 0;
            for (Map.Entry<String, List<String>> dep : sbom.dependsOn().entrySet()) {
                List<String> targets = dep.getValue().isEmpty() ? java.util.Collections.singletonList(null)
                        : dep.getValue();
                for (String to : targets) {
                    ComponentDependencyEntity d = new ComponentDependencyEntity();
                    d.sbomName = sbom.name();
                    d.fromRef = dep.getKey();
                    d.toRef = to;
                    d.position = j++;
                    rows.add(d);
                }
            }
            return s.persist().chain(() -> Panache.getSession().chain(session -> session.persistAll(rows.toArray())));
        }).replaceWithVoid();
    }

    private static Uni<Void> storeGraph(IntakeDocument.Graph g, Instant now) {
        ServiceGraph graph = g.graph();
        return ServiceGraphEntity.delete("name", graph.name()).chain(() -> {
            ServiceGraphEntity e = new ServiceGraphEntity();
            e.name = graph.name();
            e.digest = g.digest();
            e.ingestedAt = now;
            List<Object> rows = new ArrayList<>();
            int i = 0;
            for (ServiceGraph.Service s : graph.services()) {
                ServiceEntity se = new ServiceEntity();
                se.graphName = graph.name();
                se.name = s.name();
                se.exposure = s.exposure();
                se.criticality = s.criticality();
                se.sbomName = s.sbom();
                se.repository = s.repository();
                se.environment = s.environment();
                se.position = i++;
                rows.add(se);
                for (String to : new LinkedHashSet<>(s.calls())) {
                    ServiceCallEntity call = new ServiceCallEntity();
                    call.graphName = graph.name();
                    call.fromService = s.name();
                    call.toService = to;
                    rows.add(call);
                }
            }
            return e.persist().chain(() -> Panache.getSession().chain(session -> session.persistAll(rows.toArray())));
        }).replaceWithVoid();
    }

    private static Uni<Void> storeExploitability(IntakeDocument.ExploitabilityFeed f, Instant now) {
        return Uniq.run(new ArrayList<>(f.entries().entrySet()), entry ->
                ExploitabilityEntity.<ExploitabilityEntity>findById(entry.getKey()).chain(existing -> {
                    Exploitability merged = existing == null ? entry.getValue()
                            : new Exploitability(existing.kev, existing.epss, existing.ssvc).merge(entry.getValue());
                    ExploitabilityEntity e = existing != null ? existing : new ExploitabilityEntity();
                    e.vulnerabilityId = entry.getKey();
                    e.kev = merged.kev();
                    e.epss = merged.epss();
                    e.ssvc = merged.ssvc();
                    e.updatedAt = now;
                    return existing != null ? Uni.createFrom().voidItem() : e.persist().replaceWithVoid();
                }));
    }

    /**
     * Recomputes reachability and the tier of every finding against the stored system graph. A tier decision row is
     * added only when the tier or its reasoning changes, so re-ingesting the same facts adds nothing.
     */
    Uni<List<FindingEntity>> recompute(Instant now) {
        return Model.load().chain(model -> FindingEntity.<FindingEntity>list("order by id").chain(findings ->
                ReachabilityEntity.<ReachabilityEntity>listAll().chain(reaches -> TierDecisionEntity
                        .<TierDecisionEntity>list("order by id").chain(decisions -> {
                    Map<Long, ReachabilityEntity> byId = new HashMap<>();
                    reaches.forEach(r -> byId.put(r.findingId, r));
                    Map<Long, TierDecisionEntity> last = new HashMap<>();
                    decisions.forEach(d -> last.put(d.findingId, d));
                    ReachabilityAnalyzer analyzer = new ReachabilityAnalyzer(model.graphs(), model.sboms());
                    List<Object> fresh = new ArrayList<>();
                    for (FindingEntity f : findings) {
                        apply(f, byId.get(f.id), last.get(f.id), analyzer, model, now, fresh);
                    }
                    if (fresh.isEmpty()) {
                        return Uni.createFrom().item(findings);
                    }
                    return Panache.getSession().chain(s -> s.persistAll(fresh.toArray())).replaceWith(findings);
                }))));
    }

    private static void apply(FindingEntity f, ReachabilityEntity stored, TierDecisionEntity lastDecision,
                              ReachabilityAnalyzer analyzer, Model model, Instant now, List<Object> fresh) {
        ComponentRef component = f.componentPurl == null ? null
                : Purl.parse(f.componentPurl).map(ComponentRef::new).orElse(null);
        boolean resolved = f.sbomName != null && component != null && analyzer.sboms().containsKey(f.sbomName)
                && analyzer.sboms().get(f.sbomName).matching(component).isEmpty();
        String status = resolved ? "RESOLVED" : "OPEN";
        if (!status.equals(f.status)) {
            f.status = status;
            f.updatedAt = now;
        }
        ReachabilityResult r = analyzer.analyze(component, f.sbomName);
        List<String> ids = new ArrayList<>();
        ids.add(f.vulnerabilityId);
        if (f.cve != null) {
            ids.add(f.cve);
        }
        ids.addAll(JsonText.list(f.aliases));
        Exploitability e = model.exploitabilityOf(ids);
        Tiering.Decision d = Tiering.decide(r, e);
        ReachabilityEntity re = stored != null ? stored : new ReachabilityEntity();
        String path = JsonText.of(r.path());
        String reasoning = JsonText.of(r.reasoning());
        String service = r.service() == null ? null : r.service().name();
        boolean changed = stored == null || re.reachable != r.reachable() || re.known != r.known()
                || !path.equals(re.path) || !reasoning.equals(re.reasoning) || !Objects.equals(service, re.service)
                || !Objects.equals(r.sbom(), re.sbomName) || !Objects.equals(r.product(), re.product);
        if (changed) {
            re.findingId = f.id;
            re.reachable = r.reachable();
            re.known = r.known();
            re.path = path;
            re.reasoning = reasoning;
            re.service = service;
            re.sbomName = r.sbom();
            re.product = r.product();
            re.computedAt = now;
            if (stored == null) {
                fresh.add(re);
            }
        }
        String why = JsonText.of(d.reasoning());
        if (lastDecision == null || !lastDecision.tier.equals(d.tier()) || !lastDecision.reasoning.equals(why)) {
            TierDecisionEntity t = new TierDecisionEntity();
            t.findingId = f.id;
            t.tier = d.tier();
            t.reasoning = why;
            t.kev = e.kev();
            t.epss = e.epss();
            t.ssvc = e.ssvc();
            t.decidedAt = now;
            fresh.add(t);
        }
        if (!d.tier().equals(f.tier)) {
            f.tier = d.tier();
            f.updatedAt = now;
        }
    }
}
