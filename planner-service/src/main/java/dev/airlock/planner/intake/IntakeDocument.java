package dev.airlock.planner.intake;

import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.FindingInput;
import dev.airlock.planner.domain.OsvAdvisory;
import dev.airlock.planner.domain.Sbom;
import dev.airlock.planner.domain.ServiceGraph;

import java.util.List;
import java.util.Map;

/** One parsed intake document. {@code digest} is {@code sha256:} over the exact bytes received. */
public sealed interface IntakeDocument {

    String kind();

    String digest();

    /** A SARIF 2.1.0 log (or a single result): one finding per result. */
    record Sarif(String digest, String tool, List<FindingInput> findings) implements IntakeDocument {
        public String kind() {
            return "sarif";
        }
    }

    /** An OSV entry; findings come from matching it against the SBOMs ({@code sbom}: only that one, when set). */
    record Osv(String digest, OsvAdvisory advisory, String document, String sbom) implements IntakeDocument {
        public String kind() {
            return "osv";
        }
    }

    record CycloneDx(String digest, Sbom sbom) implements IntakeDocument {
        public String kind() {
            return "cyclonedx";
        }
    }

    record Graph(String digest, ServiceGraph graph) implements IntakeDocument {
        public String kind() {
            return "service-graph";
        }
    }

    /** KEV / EPSS / SSVC facts per vulnerability id (planner format, or CISA's KEV catalog). */
    record ExploitabilityFeed(String digest, Map<String, Exploitability> entries) implements IntakeDocument {
        public String kind() {
            return "exploitability";
        }
    }
}
