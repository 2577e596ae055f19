package dev.airlock.planner.service;

import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;
import dev.airlock.planner.domain.ServiceGraph;
import dev.airlock.planner.repository.ComponentDependencyEntity;
import dev.airlock.planner.repository.ComponentEntity;
import dev.airlock.planner.repository.ExploitabilityEntity;
import dev.airlock.planner.repository.SbomEntity;
import dev.airlock.planner.repository.ServiceCallEntity;
import dev.airlock.planner.repository.ServiceEntity;
import dev.airlock.planner.repository.ServiceGraphEntity;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The system graph as stored: SBOMs, service graphs and exploitability facts, loaded inside the caller's session. */
public record Model(List<Sbom> sboms, List<ServiceGraph> graphs, Map<String, Exploitability> exploitability) {

    public static Uni<Model> load() {
        return SbomEntity.<SbomEntity>listAll().chain(sboms ->
                ComponentEntity.<ComponentEntity>list("order by sbomName, position").chain(components ->
                        ComponentDependencyEntity.<ComponentDependencyEntity>list("order by sbomName, position")
                                .chain(deps -> ServiceGraphEntity.<ServiceGraphEntity>listAll().chain(graphs ->
                                        ServiceEntity.<ServiceEntity>list("order by graphName, position")
                                                .chain(services -> ServiceCallEntity.<ServiceCallEntity>list(
                                                                "order by graphName, id")
                                                        .chain(calls -> ExploitabilityEntity
                                                                .<ExploitabilityEntity>listAll()
                                                                .map(ex -> build(sboms, components, deps, graphs,
                                                                        services, calls, ex))))))));
    }

    private static Model build(List<SbomEntity> sboms, List<ComponentEntity> components,
                               List<ComponentDependencyEntity> deps, List<ServiceGraphEntity> graphs,
                               List<ServiceEntity> services, List<ServiceCallEntity> calls,
                               List<ExploitabilityEntity> ex) {
        Map<String, List<Sbom.Component>> bySbom = new HashMap<>();
        for (ComponentEntity c : components) {
            bySbom.computeIfAbsent(c.sbomName, k -> new ArrayList<>()).add(new Sbom.Component(c.bomRef,
                    c.purl == null ? null : Purl.parse(c.purl).orElse(null), c.scope));
        }
        Map<String, Map<String, List<String>>> graphBySbom = new HashMap<>();
        for (ComponentDependencyEntity d : deps) {
            List<String> on = graphBySbom.computeIfAbsent(d.sbomName, k -> new LinkedHashMap<>())
                    .computeIfAbsent(d.fromRef, k -> new ArrayList<>());
            if (d.toRef != null) {
                on.add(d.toRef);
            }
        }
        List<Sbom> outSboms = new ArrayList<>();
        for (SbomEntity s : sboms) {
            outSboms.add(new Sbom(s.name, s.serialNumber, s.specVersion, s.rootRef,
                    s.rootPurl == null ? null : Purl.parse(s.rootPurl).orElse(null),
                    bySbom.getOrDefault(s.name, List.of()), graphBySbom.getOrDefault(s.name, Map.of())));
        }
        Map<String, Map<String, List<String>>> callsBy = new HashMap<>();
        for (ServiceCallEntity c : calls) {
            callsBy.computeIfAbsent(c.graphName, k -> new HashMap<>())
                    .computeIfAbsent(c.fromService, k -> new ArrayList<>()).add(c.toService);
        }
        List<ServiceGraph> outGraphs = new ArrayList<>();
        for (ServiceGraphEntity g : graphs) {
            List<ServiceGraph.Service> list = new ArrayList<>();
            for (ServiceEntity s : services) {
                if (s.graphName.equals(g.name)) {
                    list.add(new ServiceGraph.Service(s.name, s.exposure, s.criticality,
                            callsBy.getOrDefault(g.name, Map.of()).getOrDefault(s.name, List.of()), s.sbomName,
                            s.repository, s.environment));
                }
            }
            outGraphs.add(new ServiceGraph(g.name, list));
        }
        Map<String, Exploitability> facts = new HashMap<>();
        for (ExploitabilityEntity e : ex) {
            facts.put(e.vulnerabilityId, new Exploitability(e.kev, e.epss, e.ssvc));
        }
        return new Model(outSboms, outGraphs, facts);
    }

    /**
     * What is known about the exploitation of any of {@code ids} (a CVE and its GHSA alias): KEV listed under any id
     * counts, the highest EPSS and the most urgent SSVC decision win.
     */
    public Exploitability exploitabilityOf(List<String> ids) {
        Boolean kev = null;
        String epss = null;
        String ssvc = null;
        List<String> urgency = List.of("track", "track*", "attend", "act");
        for (String id : ids) {
            Exploitability x = exploitability.get(id);
            if (x == null) {
                continue;
            }
            if (x.kev() != null) {
                kev = Boolean.TRUE.equals(kev) || x.kev();
            }
            if (x.epss() != null && (epss == null
                    || new java.math.BigDecimal(x.epss()).compareTo(new java.math.BigDecimal(epss)) > 0)) {
                epss = x.epss();
            }
            if (x.ssvc() != null && (ssvc == null || urgency.indexOf(x.ssvc()) > urgency.indexOf(ssvc))) {
                ssvc = x.ssvc();
            }
        }
        return new Exploitability(kev, epss, ssvc);
    }
}
