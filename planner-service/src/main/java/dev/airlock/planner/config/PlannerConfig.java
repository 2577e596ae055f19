package dev.airlock.planner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "airlock.planner")
public interface PlannerConfig {

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:planner-service")
    String source();
}
