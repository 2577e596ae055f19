package dev.airlock.runner.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource: a {@link RunnerFixture} with the workspaces {@link #REPOSITORIES} for the application under
 * test. Tests read the paths back through the injected {@code RunnerConfig}.
 */
public class RunnerFixtureResource implements QuarkusTestResourceLifecycleManager {

    /** One workspace per test that changes one. */
    public static final String[] REPOSITORIES = {"payments-api", "orders-api", "ledger-api", "billing-api",
        "audit-api"};

    /** Shorter than a test's validation: proves a long validation does not cost the runner its group membership. */
    public static final String MAX_POLL_INTERVAL_MS = "5000";

    private RunnerFixture fixture;

    @Override
    public Map<String, String> start() {
        fixture = RunnerFixture.create(REPOSITORIES);
        Map<String, String> config = new java.util.LinkedHashMap<>(fixture.config());
        config.put("mp.messaging.incoming.\"airlock.admissions.v1-in\".max.poll.interval.ms", MAX_POLL_INTERVAL_MS);
        return config;
    }

    @Override
    public void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }
}
