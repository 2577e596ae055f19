package dev.airlock.runner.domain;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Clock ticks since boot, the unit of a process's start time ({@code /proc/uptime} has hundredths of seconds). */
    private static long uptimeTicks() throws java.io.IOException {
        String up = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/uptime")).trim().split(" ")[0];
        return Math.round(Double.parseDouble(up) * 100);
    }

    @Test
    void killsTheRunIncludingAnEscapedChildButNotAnOlderProcess() throws Exception {
        String token = UUID.randomUUID().toString();
        Process older = start(token, "sleep", "60");
        Long olderStart = ProcessReaper.startTicks(older.pid());
        assertNotNull(olderStart);
        // the run begins in a later clock tick (start times have a resolution of one tick, 10 ms)
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> uptimeTicks() > olderStart + 1);
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

    /**
     * The byte parser against a plain split of the same line, for a process whose name holds spaces and parentheses
     * ({@code comm} is the executable's name, up to 15 bytes): session and start time come after the last ')'.
     */
    @Test
    void statIsParsedAfterTheLastParenthesisOfTheName(@TempDir Path dir) throws Exception {
        Path odd = dir.resolve("a) (b c) d");
        Files.copy(Path.of("/bin/sleep"), odd, StandardCopyOption.COPY_ATTRIBUTES);
        Process p = start("t", "setsid", "--", odd.toString(), "60");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(Path.of("/proc/" + p.pid() + "/stat"))
                .contains("(a) (b c) d)"));
        String line = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");

        ProcessReaper.Stat stat = ProcessReaper.stat(p.pid()).orElseThrow();

        assertEquals(p.pid(), stat.pid());
        assertEquals(f[0].charAt(0), stat.state());
        assertEquals(Long.parseLong(f[3]), stat.session());
        assertEquals(p.pid(), stat.session(), "setsid made it the leader of its own session");
        assertEquals(Long.parseLong(f[19]), stat.startTicks());
        assertTrue(ProcessReaper.stat(Long.MAX_VALUE).isEmpty(), "no such process");
    }
}
