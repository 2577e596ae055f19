package dev.airlock.approval.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code airlock.approval.*} (SERVICE-CONTRACTS: configuration keys). */
@ConfigMapping(prefix = "airlock.approval")
public interface ApprovalConfig {

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:approval-service")
    String source();

    /** Principal id of the automation principal that signs {@code policy-auto} approvals. */
    @WithDefault("governance.auto")
    String autoId();

    /**
     * PKCS#8 PEM of {@link #autoId()}. Without it nothing is ever auto-approved, whatever the policy's {@code autoApprove}
     * says: authority to sign automatically is a key the operator chose to give this service.
     */
    Optional<Path> autoKey();

    /** Policy DSSE trusted on install when the service has no policy history yet. */
    Optional<Path> initialPolicy();

    /** Safety-net interval of the outbox relay; it is also woken right after each authorization commits. */
    @WithDefault("1s")
    Duration relayInterval();

    /** How long a relay instance owns the outbox rows it claimed before another instance may take them over. */
    @WithDefault("30s")
    Duration relayClaim();
}
