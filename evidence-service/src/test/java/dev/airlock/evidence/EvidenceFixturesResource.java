package dev.airlock.evidence;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.testsupport.TempDirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes the evidence key and the initial policy to files, as an operator would, and points the service at them. */
public class EvidenceFixturesResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("airlock-evidence-test");
            KeyFiles.write(dir, Fixtures.LOG, Fixtures.evidenceKey());
            Path policy = dir.resolve("policy.dsse.json");
            Files.write(policy, Fixtures.policyBytes());
            return Map.of("airlock.evidence.key", KeyFiles.privateKeyPath(dir, Fixtures.LOG).toString(),
                    "airlock.evidence.initial-policy", policy.toString(),
                    "airlock.evidence.id", Fixtures.LOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        TempDirs.deleteTree(dir);
    }
}
