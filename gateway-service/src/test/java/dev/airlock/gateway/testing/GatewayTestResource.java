package dev.airlock.gateway.testing;

import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.TempDirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: the gateway's key and initial policy (TestPki v1) written to a fresh directory, and the
 * {@code airlock.gateway.*} configuration pointing at them. Init args: {@value #ENVIRONMENT} (default
 * {@link TestPki#PROD}), {@value #FREEZE} (default {@code true}). The start-up grace is an hour of the test clock, so
 * a test that wants a stale diode moves the clock past it.
 */
public class GatewayTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String ENVIRONMENT = "environment";
    public static final String FREEZE = "freeze-when-stale";

    private Map<String, String> args = Map.of();
    private Path dir;

    @Override
    public void init(Map<String, String> initArgs) {
        args = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("airlock-gateway-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Fixtures.atTestClock().writeConfigFiles(dir);
        Map<String, String> config = new HashMap<>();
        config.put("airlock.gateway.key", Fixtures.keyFile(dir).toString());
        config.put("airlock.gateway.initial-policy", dir.resolve("policy-v1.dsse.json").toString());
        config.put("airlock.gateway.environment", args.getOrDefault(ENVIRONMENT, TestPki.PROD));
        config.put("airlock.gateway.freeze-when-stale", args.getOrDefault(FREEZE, "true"));
        config.put("airlock.gateway.status-file", dir.resolve("status.json").toString());
        config.put("airlock.gateway.metrics-file", dir.resolve("metrics/gateway.prom").toString());
        config.put("airlock.gateway.heartbeat-grace", "PT1H");
        config.put("airlock.gateway.heartbeat-check-interval", "PT0.2S");
        return config;
    }

    @Override
    public void stop() {
        TempDirs.deleteTree(dir);
    }
}
