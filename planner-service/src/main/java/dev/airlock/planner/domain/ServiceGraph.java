package dev.airlock.planner.domain;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A service graph (planner intake format {@code airlock.service-graph/v1}): services, their exposure, the services
 * each calls, which SBOM each ships, which repository it is built from and which environment it runs in.
 */
public record ServiceGraph(String name, List<Service> services) {

    public static final String SCHEMA = "airlock.service-graph/v1";
    public static final Set<String> EXPOSURES = Set.of("internet", "internal");
    public static final Set<String> CRITICALITIES = Set.of("critical", "high", "standard", "low");

    public ServiceGraph {
        Objects.requireNonNull(name, "name");
        services = List.copyOf(services);
    }

    /**
     * @param sbom        the SBOM the service ships (an SBOM name), or null
     * @param repository  the repository it is built from (a key of {@code airlock.planner.repositories}), or null
     * @param environment the policy environment it runs in, or null for the configured default
     */
    public record Service(String name, String exposure, String criticality, List<String> calls, String sbom,
                          String repository, String environment) {
        public Service {
            Objects.requireNonNull(name, "name");
            calls = List.copyOf(calls);
        }

        public boolean internetExposed() {
            return "internet".equals(exposure);
        }

        public boolean critical() {
            return "critical".equals(criticality);
        }
    }
}
