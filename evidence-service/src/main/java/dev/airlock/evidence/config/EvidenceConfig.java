package dev.airlock.evidence.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "airlock.evidence")
public interface EvidenceConfig {

    /** The policy environment ({@code environments[].name}) this evidence service works for. */
    @WithDefault("dev-enclave")
    String environment();

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:evidence-service")
    String source();
}
