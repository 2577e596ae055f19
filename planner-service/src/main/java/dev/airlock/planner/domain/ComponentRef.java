package dev.airlock.planner.domain;

import java.util.Objects;

/**
 * The vulnerable component a finding names: a purl whose namespace may be unknown (Grype's SARIF gives only the
 * artifact name for a jar). Matches SBOM components of the same type, name and version, and namespace when known.
 */
public record ComponentRef(Purl purl) {
    public ComponentRef {
        Objects.requireNonNull(purl, "purl");
    }

    public boolean matches(Purl candidate) {
        return purl.sameArtifact(candidate) && Objects.equals(purl.version(), candidate.version());
    }

    /** The purl written where people read it: with the namespace when known. */
    public String label() {
        return purl.toString();
    }
}
