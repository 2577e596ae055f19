package dev.airlock.planner.reach;

import dev.airlock.planner.domain.ServiceGraph;

import java.util.List;

/**
 * The reachability verdict of one finding.
 *
 * @param reachable  true when a path exists or when it cannot be ruled out ("unknown counts as reachable")
 * @param known      true when the verdict rests on a complete path or a complete proof, false for "unknown"
 * @param path       node labels from {@code internet} through services to the vulnerable purl; empty when unreachable
 * @param service    the service shipping the component on the path (or, unreachable, the first that ships it); null
 *                   when none is known
 * @param sbom       the SBOM the path ends in, or null
 * @param product    what ships the component, for VEX: the SBOM's root purl, else {@code urn:airlock:service:<name>}
 * @param reasoning  why, one line per fact, in order
 */
public record ReachabilityResult(boolean reachable, boolean known, List<String> path, ServiceGraph.Service service,
                                 String sbom, String product, List<String> reasoning) {
    public ReachabilityResult {
        path = List.copyOf(path);
        reasoning = List.copyOf(reasoning);
    }
}
