package dev.airlock.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "airlock.gateway")
public interface GatewayConfig {

    /**
     * The environment this gateway admits capsules for: a policy's {@code environments[].name}. A capsule for any
     * other environment is {@code ENVIRONMENT_MISMATCH}.
     */
    @WithDefault("dev-enclave")
    String environment();

    /** CloudEvents {@code ce_source} of the records this gateway writes. */
    @WithDefault("urn:airlock:gateway-service")
    String source();
}
