package dev.airlock.approval.support;

import dev.airlock.testsupport.TempDirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the files the service reads at start: the initial policy and (unless {@code auto-key=false}) the automation
 * principal's PKCS#8 key, as an operator would.
 */
public class ApprovalFiles implements QuarkusTestResourceLifecycleManager {
    private boolean autoKey = true;
    private Path dir;

    @Override
    public void init(Map<String, String> initArgs) {
        autoKey = !"false".equals(initArgs.get("auto-key"));
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("approval-test");
            Path policy = dir.resolve("policy.dsse.json");
            Files.write(policy, Fixtures.policyEnvelope());
            Map<String, String> config = new HashMap<>();
            config.put("airlock.approval.initial-policy", policy.toString());
            if (autoKey) {
                Path key = dir.resolve("governance.auto.key.pem");
                Files.writeString(key, Fixtures.PKI.of("governance.auto").toPem(), StandardCharsets.US_ASCII);
                config.put("airlock.approval.auto-key", key.toString());
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        TempDirs.deleteTree(dir);
    }
}
