package dev.airlock.planner.reach;

import dev.airlock.planner.domain.ComponentRef;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;
import dev.airlock.planner.domain.ServiceGraph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reachability (ARCHITECTURE §8): a finding is reachable when an internet-exposed service reaches, through
 * {@code calls} edges and then the CycloneDX dependency graph of an SBOM a reached service ships, the vulnerable
 * component. Anything that cannot be decided — no service graph, the component in no SBOM, an SBOM no service ships,
 * a dependency graph that does not place the component — counts as reachable, with the reason stated. Unreachable is
 * claimed only with a proof: every occurrence of the component sits in an SBOM shipped only by services that no
 * internet-exposed service reaches, or is cut off from its SBOM's root.
 *
 * <p>Search is breadth-first in name order, so the path shown is a shortest one and the same for the same inputs.
 */
public final class ReachabilityAnalyzer {

    public static final String INTERNET = "internet";
    public static final String UNKNOWN = "unknown";

    private final Map<String, ServiceGraph.Service> services = new TreeMap<>();
    private final Map<String, Sbom> sboms = new TreeMap<>();
    private final Map<String, String> parent = new HashMap<>();
    private final List<String> entrypoints = new ArrayList<>();

    /** Prepares the service-level search once for many findings. Services named in several graphs merge their calls. */
    public ReachabilityAnalyzer(List<ServiceGraph> graphs, List<Sbom> sbomList) {
        Map<String, List<String>> calls = new HashMap<>();
        for (ServiceGraph g : graphs) {
            for (ServiceGraph.Service s : g.services()) {
                services.putIfAbsent(s.name(), s);
                calls.computeIfAbsent(s.name(), k -> new ArrayList<>()).addAll(s.calls());
            }
        }
        sbomList.forEach(s -> sboms.put(s.name(), s));
        Deque<String> queue = new ArrayDeque<>();
        for (ServiceGraph.Service s : services.values()) {
            if (s.internetExposed()) {
                entrypoints.add(s.name());
                parent.put(s.name(), INTERNET);
                queue.add(s.name());
            }
        }
        while (!queue.isEmpty()) {
            String cur = queue.poll();
            List<String> next = new ArrayList<>(calls.getOrDefault(cur, List.of()));
            Collections.sort(next);
            for (String n : next) {
                if (services.containsKey(n) && !parent.containsKey(n)) {
                    parent.put(n, cur);
                    queue.add(n);
                }
            }
        }
    }

    public boolean hasServiceGraph() {
        return !services.isEmpty();
    }

    public Map<String, ServiceGraph.Service> services() {
        return Collections.unmodifiableMap(services);
    }

    public Map<String, Sbom> sboms() {
        return Collections.unmodifiableMap(sboms);
    }

    /** The SBOM occurrences of a component: where it appears. */
    public record Occurrence(Sbom sbom, Sbom.Component component) {
    }

    public List<Occurrence> occurrences(ComponentRef target, String onlySbom) {
        List<Occurrence> out = new ArrayList<>();
        for (Sbom s : sboms.values()) {
            if (onlySbom != null && !onlySbom.equals(s.name())) {
                continue;
            }
            for (Sbom.Component c : s.matching(target)) {
                out.add(new Occurrence(s, c));
            }
        }
        return out;
    }

    /**
     * @param target   the vulnerable component, or null when the finding names none
     * @param onlySbom restrict to this SBOM (a finding matched in one SBOM), or null for all
     */
    public ReachabilityResult analyze(ComponentRef target, String onlySbom) {
        if (target == null) {
            return new ReachabilityResult(true, false, List.of(UNKNOWN), null, null, null,
                    List.of("the finding names no component: unknown → reachable"));
        }
        String label = target.label();
        List<Occurrence> occurrences = occurrences(target, onlySbom);
        if (occurrences.isEmpty()) {
            String where = onlySbom == null ? "any known SBOM" : "SBOM " + onlySbom;
            return new ReachabilityResult(true, false, List.of(UNKNOWN, label), null, onlySbom, null,
                    List.of(label + " is not in " + where + ": unknown → reachable"));
        }
        if (services.isEmpty()) {
            Occurrence o = occurrences.get(0);
            return new ReachabilityResult(true, false, List.of(UNKNOWN, label), null, o.sbom().name(),
                    product(o.sbom(), null), List.of("no service graph: unknown → reachable"));
        }
        List<Candidate> reachable = new ArrayList<>();
        List<String> proof = new ArrayList<>();
        ServiceGraph.Service firstShipper = null;
        Occurrence firstOccurrence = null;
        for (Occurrence o : occurrences) {
            List<ServiceGraph.Service> shippers = services.values().stream()
                    .filter(s -> o.sbom().name().equals(s.sbom())).toList();
            String componentLabel = label(o.component(), label);
            if (shippers.isEmpty()) {
                reachable.add(new Candidate(false, List.of(UNKNOWN, o.sbom().name(), componentLabel), null, o,
                        "SBOM " + o.sbom().name() + " is shipped by no service in the graph: unknown → reachable"));
                continue;
            }
            Sbom.InnerPath inner = o.sbom().pathTo(o.component().bomRef());
            for (ServiceGraph.Service s : shippers) {
                if (firstShipper == null) {
                    firstShipper = s;
                    firstOccurrence = o;
                }
                if (!parent.containsKey(s.name())) {
                    proof.add("service " + s.name() + " ships SBOM " + o.sbom().name() + " but no internet-exposed "
                            + "service reaches it through calls (entrypoints: " + entrypointsText() + ")");
                    continue;
                }
                List<String> path = servicePath(s.name());
                switch (inner.status()) {
                    case REACHED -> {
                        for (String ref : inner.refs()) {
                            path.add(label(o.sbom().component(ref).orElse(new Sbom.Component(ref, null, null)),
                                    ref));
                        }
                        if (inner.refs().isEmpty()) {
                            path.add(componentLabel);
                        }
                        reachable.add(new Candidate(true, path, s, o, "reachable: " + String.join(" → ", path)));
                    }
                    case UNKNOWN -> {
                        path.add("?");
                        path.add(componentLabel);
                        reachable.add(new Candidate(false, path, s, o, inner.why() + ": unknown → reachable"));
                    }
                    case NOT_REACHED -> proof.add(inner.why() + " (service " + s.name() + ")");
                }
            }
        }
        if (!reachable.isEmpty()) {
            Candidate best = reachable.stream()
                    .min(Comparator.comparing((Candidate c) -> !c.known).thenComparing(c -> c.path.size())
                            .thenComparing(c -> String.join("\u0000", c.path)))
                    .orElseThrow();
            List<String> reasoning = new ArrayList<>();
            reasoning.add(best.why);
            return new ReachabilityResult(true, best.known, best.path, best.service,
                    best.occurrence.sbom().name(), product(best.occurrence.sbom(), best.service), reasoning);
        }
        List<String> reasoning = new ArrayList<>(proof);
        reasoning.add(0, "no path from an internet-exposed entrypoint reaches " + label);
        return new ReachabilityResult(false, true, List.of(), firstShipper,
                firstOccurrence == null ? null : firstOccurrence.sbom().name(),
                firstOccurrence == null ? null : product(firstOccurrence.sbom(), firstShipper), reasoning);
    }

    private record Candidate(boolean known, List<String> path, ServiceGraph.Service service, Occurrence occurrence,
                             String why) {
    }

    private String entrypointsText() {
        return entrypoints.isEmpty() ? "none" : String.join(", ", entrypoints);
    }

    private List<String> servicePath(String service) {
        List<String> path = new ArrayList<>();
        for (String at = service; !INTERNET.equals(at); at = parent.get(at)) {
            path.add(at);
        }
        path.add(INTERNET);
        Collections.reverse(path);
        return path;
    }

    private static String label(Sbom.Component c, String fallback) {
        return c.purl() != null ? c.purl().toString() : fallback;
    }

    private static String product(Sbom sbom, ServiceGraph.Service service) {
        Purl root = sbom.rootPurl();
        if (root != null) {
            return root.toString();
        }
        return service != null ? "urn:airlock:service:" + service.name() : "urn:airlock:sbom:" + sbom.name();
    }

    /** For tests and the REST view: which services an internet-exposed entrypoint reaches. */
    public Map<String, List<String>> reachedServices() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String s : services.keySet()) {
            if (parent.containsKey(s)) {
                out.put(s, servicePath(s));
            }
        }
        return out;
    }
}
