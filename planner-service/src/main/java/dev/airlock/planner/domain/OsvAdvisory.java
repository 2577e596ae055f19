package dev.airlock.planner.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of an OSV entry (https://ossf.github.io/osv-schema/) the planner uses: identity, aliases, and for each
 * affected package its ranges and explicit versions.
 */
public record OsvAdvisory(String id, List<String> aliases, String modified, String summary, String severity,
                          List<Affected> affected) {

    public OsvAdvisory {
        Objects.requireNonNull(id, "id");
        aliases = List.copyOf(aliases);
        affected = List.copyOf(affected);
    }

    /** An OSV {@code ranges[].events[]} entry: exactly one of the four fields is set. */
    public record Event(String introduced, String fixed, String lastAffected, String limit) {
        String version() {
            return introduced != null ? introduced : fixed != null ? fixed : lastAffected != null ? lastAffected
                    : limit;
        }
    }

    public record Range(String type, List<Event> events) {
        public Range {
            events = List.copyOf(events);
        }
    }

    public record Affected(Purl pkg, List<Range> ranges, List<String> versions) {
        public Affected {
            ranges = List.copyOf(ranges);
            versions = List.copyOf(versions);
        }
    }

    /** A match: the version is affected; {@code fixedVersion} is the lowest fix above it, when one is known. */
    public record Match(Affected affected, String fixedVersion) {
    }

    /** The first CVE among id and aliases, else the id. */
    public String cveOrId() {
        if (id.startsWith("CVE-")) {
            return id;
        }
        return aliases.stream().filter(a -> a.startsWith("CVE-")).findFirst().orElse(id);
    }

    /** Whether {@code component} (with a version) is affected by this advisory. */
    public Optional<Match> match(Purl component) {
        if (component.version() == null) {
            return Optional.empty();
        }
        String v = component.version();
        for (Affected a : affected) {
            if (!a.pkg().sameArtifact(component)) {
                continue;
            }
            boolean hit = a.versions().contains(v);
            String fixed = null;
            for (Range r : a.ranges()) {
                if (!"ECOSYSTEM".equals(r.type()) && !"SEMVER".equals(r.type())) {
                    continue; // GIT ranges name commits, not versions
                }
                if (inRange(r, v)) {
                    hit = true;
                    String f = lowestFixAbove(r, v);
                    if (f != null && (fixed == null || Versions.compare(f, fixed) < 0)) {
                        fixed = f;
                    }
                }
            }
            if (hit) {
                return Optional.of(new Match(a, fixed));
            }
        }
        return Optional.empty();
    }

    /** OSV schema "Evaluation": walk the events in version order; introduced opens, fixed/last_affected close. */
    static boolean inRange(Range r, String v) {
        List<Event> sorted = new ArrayList<>(r.events());
        sorted.sort(Comparator.comparing(Event::version, (a, b) -> {
            if ("0".equals(a) && !"0".equals(b)) {
                return -1;
            }
            if ("0".equals(b) && !"0".equals(a)) {
                return 1;
            }
            return Versions.compare(a, b);
        }));
        boolean affected = false;
        for (Event e : sorted) {
            if (e.introduced() != null) {
                if ("0".equals(e.introduced()) || Versions.compare(v, e.introduced()) >= 0) {
                    affected = true;
                }
            } else if (e.fixed() != null) {
                if (Versions.compare(v, e.fixed()) >= 0) {
                    affected = false;
                }
            } else if (e.lastAffected() != null) {
                if (Versions.compare(v, e.lastAffected()) > 0) {
                    affected = false;
                }
            } else if (e.limit() != null) {
                if (Versions.compare(v, e.limit()) >= 0) {
                    affected = false;
                }
            }
        }
        return affected;
    }

    private static String lowestFixAbove(Range r, String v) {
        return r.events().stream().map(Event::fixed).filter(Objects::nonNull)
                .filter(f -> Versions.compare(f, v) > 0).min(Versions.ORDER).orElse(null);
    }
}
