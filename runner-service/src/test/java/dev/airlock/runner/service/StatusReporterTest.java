package dev.airlock.runner.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.runner.config.RunnerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port-less status and metrics files: replaced whole, on real files, never through a planted link; per-capsule changes
 * coalesced without losing the last one.
 */
class StatusReporterTest {
    @TempDir
    Path dir;

    private RunnerConfig config(Path status, Path metrics) {
        return (RunnerConfig) Proxy.newProxyInstance(RunnerConfig.class.getClassLoader(), new Class<?>[] {RunnerConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> "runner.edge-7";
                    case "environment" -> "prod-enclave-1";
                    case "statusFile" -> Optional.of(status);
                    case "metricsFile" -> Optional.of(metrics);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void eachChangeReplacesBothFilesAndLeavesNoTemporaryFile() throws Exception {
        Path status = dir.resolve("status/runner.json");
        Path metrics = dir.resolve("textfile/runner.prom");
        StatusReporter r = new StatusReporter(config(status, metrics),
                Clock.fixed(Instant.parse("2026-11-26T07:00:00Z"), ZoneOffset.UTC));
        AtomicInteger spool = new AtomicInteger();
        r.countSpoolWith(spool::get);
        r.state(StatusReporter.State.READY, null);
        assertEquals("READY", StrictJson.readTree(Files.readAllBytes(status), StrictJson.SIGNED).get("state").asText(),
                "a lifecycle change is written before state() returns");
        // a burst of per-capsule changes from several lanes: written together, and the last one is what the files say
        Thread[] lanes = new Thread[4];
        for (int l = 0; l < lanes.length; l++) {
            int lane = l;
            lanes[l] = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    String id = "c-" + lane + "-" + i;
                    r.started(id, "payments");
                    spool.incrementAndGet();
                    r.spoolChanged();
                    r.finished(id, "APPLIED");
                    spool.decrementAndGet();
                    r.spoolChanged();
                }
            });
            lanes[l].start();
        }
        for (Thread t : lanes) {
            t.join();
        }
        r.started("c-1", "payments");
        spool.set(3);
        r.spoolChanged();
        r.finished("c-1", "APPLIED");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(metrics).contains(
                "airlock_runner_spool_bundles{runner=\"runner.edge-7\"} 3\n"));
        JsonNode s = StrictJson.readTree(Files.readAllBytes(status), StrictJson.SIGNED);
        assertEquals("READY", s.get("state").asText());
        assertEquals(1001, s.get("runs").get("APPLIED").asLong());
        assertEquals(3, s.get("spooled").asInt());
        assertEquals("c-1", s.get("lastRun").get("capsuleId").asText());
        assertTrue(s.get("running").isEmpty());
        String prom = Files.readString(metrics);
        assertTrue(prom.contains("airlock_runner_runs_total{runner=\"runner.edge-7\",outcome=\"APPLIED\"} 1001\n"), prom);
        assertTrue(prom.contains("airlock_runner_up{runner=\"runner.edge-7\"} 1\n"), prom);
        try (var left = Files.list(status.getParent())) {
            assertEquals(1, left.count(), "only the status file, no temporary sibling");
        }
    }

    @Test
    void aLinkPlantedAtTheTemporaryNameIsReplacedNotWrittenThrough() throws Exception {
        Path status = dir.resolve("status/runner.json");
        Files.createDirectories(status.getParent());
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "keep me");
        Files.createSymbolicLink(status.resolveSibling(".runner.json.tmp"), victim);
        StatusReporter r = new StatusReporter(config(status, dir.resolve("runner.prom")),
                Clock.fixed(Instant.parse("2026-11-26T07:00:00Z"), ZoneOffset.UTC));
        r.state(StatusReporter.State.READY, null);
        assertEquals("keep me", Files.readString(victim, StandardCharsets.UTF_8));
        assertFalse(Files.isSymbolicLink(status));
        assertTrue(Files.isRegularFile(status, LinkOption.NOFOLLOW_LINKS));
        assertEquals("READY", StrictJson.readTree(Files.readAllBytes(status), StrictJson.SIGNED).get("state").asText());
    }
}
