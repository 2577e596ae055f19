package dev.airlock.planner.domain;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A finding as taken in, before reachability and tiering: one SARIF result, or one (OSV advisory, SBOM component)
 * match.
 *
 * @param fingerprint     stable identity; re-ingesting the same finding updates, never duplicates
 * @param vulnerabilityId CVE/GHSA id, or the rule id when the result names no vulnerability
 * @param component       the vulnerable component, or null when the result names none
 * @param sbom            the SBOM the finding was matched in (OSV), or the one a SARIF intake named, else null
 * @param sarif           for SARIF, the result as the scanner wrote it ({@code ruleId}, {@code partialFingerprints},
 *                        {@code locations}, {@code fixes}, {@code message}, ...) as JSON; else null
 */
public record FindingInput(String fingerprint, String source, String vulnerabilityId, List<String> aliases, String cve,
                           String ruleId, String tool, String title, String severity, ComponentRef component,
                           String fixedVersion, String sbom, String advisoryId, String sarif) {

    public static final Set<String> SOURCES = Set.of("sarif", "osv");

    public FindingInput {
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!SOURCES.contains(source)) {
            throw new IllegalArgumentException("source must be sarif or osv");
        }
        Objects.requireNonNull(vulnerabilityId, "vulnerabilityId");
        aliases = List.copyOf(aliases);
    }

    /** Every id this finding is known by (for exploitability look-ups and VEX aliases). */
    public List<String> ids() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        all.add(vulnerabilityId);
        if (cve != null) {
            all.add(cve);
        }
        all.addAll(aliases);
        return List.copyOf(all);
    }
}
