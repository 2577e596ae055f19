package dev.airlock.runner.domain;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real processes: a run's processes are found by session and by token, including one that left the session, and a
 * process that started before the run is left alone even when it carries the same variable.
 */
class ProcessReaperTest {
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process start(String token, String... argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("AIRLOCK_RUN_TOKEN", token);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    @Test
    void killsTheRunIncludingAnEscapedChildButNotAnOlderProcess() throws Exception {
        String token = UUID.randomUUID().toString();
        Process older = start(token, "sleep", "60");
        Thread.sleep(100); // a few clock ticks (10 ms each) before the run begins
        // the run: its own session, a child in that session, and a grandchild that left it (setsid again)
        Process run = start(token, "setsid", "--", "sh", "-c", "sleep 60 & setsid sleep 60 & wait");
        await().atMost(Duration.ofSeconds(10)).until(() -> run.descendants().count() >= 2);
        Long ticks = ProcessReaper.startTicks(run.pid());
        assertNotNull(ticks);
        Long olderTicks = ProcessReaper.startTicks(older.pid());
        assertTrue(olderTicks != null && olderTicks < ticks, "the older process must start in an earlier clock tick: "
                + olderTicks + " vs " + ticks);
        List<ProcessHandle> members = new ArrayList<>(run.descendants().toList());
        assertTrue(members.size() >= 2, "children of the run: " + members);

        int killed = ProcessReaper.kill(token, run.pid(), ticks);

        assertTrue(killed >= 3, "signalled " + killed);
        await().atMost(Duration.ofSeconds(10)).until(() -> members.stream().noneMatch(ProcessHandle::isAlive));
        assertTrue(run.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(older.isAlive(), "a process that started before the run is not one of its processes");
        assertFalse(ProcessReaper.running(run.pid()));
    }
}
