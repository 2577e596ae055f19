package dev.airlock.evidence.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of the evidence service (SERVICE-CONTRACTS "Configuration keys"). */
@ConfigMapping(prefix = "airlock.evidence")
public interface EvidenceConfig {

    /** The evidence principal of the policy this service signs as; also the name of its log. */
    @WithDefault("evidence.enclave-1")
    String id();

    /** PKCS#8 PEM private key of that principal: signs checkpoints, projections, purge records and leaf receipts. */
    String key();

    /** Policy DSSE file trusted on install when the database holds no policy history yet. */
    Optional<String> initialPolicy();

    /** How often a checkpoint is signed when the log grew. */
    @WithDefault("PT30S")
    Duration checkpointInterval();

    /** How often retention purges run. */
    @WithDefault("PT1H")
    Duration retentionInterval();

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:evidence-service")
    String source();
}
