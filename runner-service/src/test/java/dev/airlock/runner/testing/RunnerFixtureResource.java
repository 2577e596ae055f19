package dev.airlock.runner.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource: a {@link RunnerFixture} with the workspaces {@link #REPOSITORIES} for the application under
 * test. Tests read the paths back through the injected {@code RunnerConfig}.
 */
public class RunnerFixtureResource implements QuarkusTestResourceLifecycleManager {

    /** One workspace per test that changes one. */
    public static final String[] REPOSITORIES = {"payments-api", "orders-api", "ledger-api", "billing-api"};

    private RunnerFixture fixture;

    @Override
    public Map<String, String> start() {
        fixture = RunnerFixture.create(REPOSITORIES);
        return fixture.config();
    }

    @Override
    public void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }
}
