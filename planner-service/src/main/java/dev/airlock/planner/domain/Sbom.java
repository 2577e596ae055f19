package dev.airlock.planner.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A CycloneDX SBOM as the planner uses it: its components (by {@code bom-ref}) and its {@code dependencies} graph
 * ({@code ref} → {@code dependsOn}), rooted at {@code metadata.component}.
 *
 * @param name     how service graphs refer to it (the intake's {@code name}, else the BOM's {@code serialNumber})
 * @param rootRef  {@code metadata.component.bom-ref}, or null when the BOM does not say what it describes
 * @param rootPurl {@code metadata.component.purl}, or null
 */
public record Sbom(String name, String serialNumber, String specVersion, String rootRef, Purl rootPurl,
                   List<Component> components, Map<String, List<String>> dependsOn) {

    public Sbom {
        Objects.requireNonNull(name, "name");
        components = List.copyOf(components);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        dependsOn.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        dependsOn = Collections.unmodifiableMap(copy);
    }

    /** One component: its {@code bom-ref} and purl (null when the BOM gives none). */
    public record Component(String bomRef, Purl purl, String scope) {
        public Component {
            Objects.requireNonNull(bomRef, "bomRef");
        }
    }

    /** Whether the BOM carries a dependency graph at all. */
    public boolean hasGraph() {
        return !dependsOn.isEmpty();
    }

    public Optional<Component> component(String ref) {
        return components.stream().filter(c -> c.bomRef().equals(ref)).findFirst();
    }

    /** The components whose purl names the same artifact and version as {@code target}. */
    public List<Component> matching(ComponentRef target) {
        List<Component> out = new ArrayList<>();
        for (Component c : components) {
            if (c.purl() != null && target.matches(c.purl())) {
                out.add(c);
            }
        }
        if (rootPurl != null && rootRef != null && target.matches(rootPurl)
                && out.stream().noneMatch(c -> c.bomRef().equals(rootRef))) {
            out.add(new Component(rootRef, rootPurl, null));
        }
        return out;
    }

    /** The outcome of looking for a component inside this BOM's dependency graph. */
    public record InnerPath(Status status, List<String> refs, String why) {
        public enum Status { REACHED, NOT_REACHED, UNKNOWN }
    }

    /**
     * Breadth-first from the root over {@code dependsOn} to {@code ref}. REACHED with the refs after the root (the
     * component last); NOT_REACHED only when the graph is complete enough to prove it (there is a root, a graph, and
     * the component appears in it as somebody's dependency, so it is not merely absent from the graph); else UNKNOWN.
     */
    public InnerPath pathTo(String ref) {
        if (ref.equals(rootRef)) {
            return new InnerPath(InnerPath.Status.REACHED, List.of(), "the component is the service's own artifact");
        }
        if (rootRef == null) {
            return new InnerPath(InnerPath.Status.UNKNOWN, List.of(), "SBOM " + name + " names no root component");
        }
        if (!hasGraph()) {
            return new InnerPath(InnerPath.Status.UNKNOWN, List.of(), "SBOM " + name + " has no dependency graph");
        }
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        queue.add(rootRef);
        seen.add(rootRef);
        while (!queue.isEmpty()) {
            String cur = queue.poll();
            if (cur.equals(ref)) {
                List<String> path = new ArrayList<>();
                for (String at = ref; !at.equals(rootRef); at = parent.get(at)) {
                    path.add(at);
                }
                Collections.reverse(path);
                return new InnerPath(InnerPath.Status.REACHED, path, null);
            }
            for (String next : dependsOn.getOrDefault(cur, List.of())) {
                if (seen.add(next)) {
                    parent.put(next, cur);
                    queue.add(next);
                }
            }
        }
        boolean listedAsDependency = dependsOn.values().stream().anyMatch(l -> l.contains(ref));
        if (!listedAsDependency) {
            return new InnerPath(InnerPath.Status.UNKNOWN, List.of(), "SBOM " + name + " lists " + ref
                    + " but its dependency graph does not place it");
        }
        return new InnerPath(InnerPath.Status.NOT_REACHED, List.of(), "in SBOM " + name + " no dependency chain leads"
                + " from the root " + rootRef + " to " + ref);
    }
}
