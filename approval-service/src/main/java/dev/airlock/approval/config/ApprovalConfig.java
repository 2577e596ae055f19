package dev.airlock.approval.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "airlock.approval")
public interface ApprovalConfig {

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:approval-service")
    String source();
}
