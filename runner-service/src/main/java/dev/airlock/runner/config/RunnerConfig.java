package dev.airlock.runner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "airlock.runner")
public interface RunnerConfig {

    /** The policy environment ({@code environments[].name}) this runner service works for. */
    @WithDefault("dev-enclave")
    String environment();

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:runner-service")
    String source();
}
