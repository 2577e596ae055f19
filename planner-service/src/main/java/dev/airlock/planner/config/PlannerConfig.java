package dev.airlock.planner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** planner-service configuration ({@code airlock.planner.*}, SERVICE-CONTRACTS; env vars as Quarkus maps them). */
@ConfigMapping(prefix = "airlock.planner")
public interface PlannerConfig {

    /** CloudEvents {@code ce_source} of the records this service writes. */
    @WithDefault("urn:airlock:planner-service")
    String source();

    /** The principal the built-in fleet (and externally posted diffs) sign as; must hold {@code proposer}. */
    @WithDefault("fleet.dependency-bump")
    String fleetId();

    /** PKCS#8 PEM of the fleet's signing key. Without it nothing is signed (refusals name the missing key). */
    Optional<Path> fleetKey();

    /** Repository name → local mirror path (a checkout the planner reads; it never fetches). */
    Map<String, Path> repositories();

    /** A policy DSSE file trusted on install when no policy has been installed yet. */
    Optional<Path> initialPolicy();

    /** Environment of a service the service graph gives none for. */
    @WithDefault("prod-enclave-1")
    String defaultEnvironment();

    /** Lifetime of a capsule from its creation ({@code expiresAt - createdAt}). */
    @WithDefault("P7D")
    Duration capsuleValidity();

    /** {@code timeoutSeconds} of the built-in fleet's validation step. */
    @WithDefault("900")
    int validationTimeoutSeconds();

    /** Run the dependency-bump fleet on findings as they are tiered. */
    @WithDefault("true")
    boolean autoPropose();

    /** How often the fleets run and the outbox is drained besides the runs intake triggers ("30s", "PT1M"). */
    @WithDefault("30s")
    String reconcileInterval();

    /** Largest intake document accepted, in bytes. */
    @WithDefault("33554432")
    long maxDocumentBytes();
}
