package dev.airlock.deploy.stack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real child processes: detached start, identity by pid and start instant, memory, stop with and without SIGKILL. */
class ProcessesTest {
    @TempDir
    Path dir;
    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        });
    }

    private Processes.Started start(String name, String script) throws Exception {
        ProcessSpec spec = new ProcessSpec(name, Plane.ENCLAVE, "test process", 1, List.of("sh", "-c", script),
                Map.of("AIRLOCK_TEST_VALUE", "42"), dir.resolve("run").resolve(name), dir.resolve("logs/" + name + ".log"),
                List.of(), (start, offset) -> new HealthCheck.LogLine(dir.resolve("logs/" + name + ".log"), offset,
                java.util.regex.Pattern.compile("ready"), "ready"));
        Processes.Started st = Processes.start(spec);
        started.add(st.process().toHandle());
        return st;
    }

    @Test
    void startsDetachedWithItsOwnLogAndEnvironment() throws Exception {
        Processes.Started st = start("echo", "echo \"ready $AIRLOCK_TEST_VALUE ${AIRLOCK_HOME:-unset}\"; exec sleep 60");
        Path log = dir.resolve("logs/echo.log");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("ready 42 unset"));
        String text = Files.readString(log);
        assertTrue(text.contains("airlock up: starting echo (test process)"), text);
        // its own session: not the test JVM's process group, so a Ctrl-C meant for airlock never reaches it
        long sid = Long.parseLong(Files.readString(Path.of("/proc", Long.toString(st.record().pid()), "stat"))
                .replaceAll("^.*\\) ", "").split(" ")[3]);
        assertEquals(st.record().pid(), sid, "session id of the child is its own pid");
        assertTrue(Processes.live(st.record()).isPresent());
        assertTrue(Processes.rssBytes(Processes.live(st.record()).orElseThrow()) > 0);
        assertEquals("stopped", Processes.stop(st.process().toHandle(), Duration.ofSeconds(10)));
        assertFalse(Processes.live(st.record()).isPresent());
    }

    @Test
    void cpuOfATreeCountsLiveDescendantsAndReapedChildrenOnce() throws Exception {
        // the shell itself only waits; a child it reaped burns ~0.8 s, a child still alive burned ~0.6 s
        Processes.Started st = start("burner", "burn() { i=0; while [ $i -lt $1 ]; do i=$((i+1)); done; }; "
                + "(burn 800000); (burn 600000; echo burnt-$((1 + 1)); exec sleep 60) & wait");
        Path log = dir.resolve("logs/burner.log");
        // (the log's first line repeats the command, so the marker is computed)
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("burnt-2"));
        ProcessHandle h = st.process().toHandle();
        double tree = Processes.cpuMillis(h);
        double own = Processes.ownCpuMillis(h);
        assertTrue(own < 200, "the waiting shell itself: " + own + " ms");
        // either part alone is well below this: the reaped child (~800 ms) and the live one (~600 ms) both count
        assertTrue(tree - own >= 1100, "children: " + (tree - own) + " ms");
        assertTrue(tree - own < 3000, "counted twice? " + (tree - own) + " ms");
    }

    @Test
    void aDeclaredDaemonCountsWithItsProcessButAPidOlderThanItDoesNot() throws Exception {
        // like pg_ctl: the daemon leaves the tree (its parent exits), and the process names it in adopted.pids;
        // pid 1 is declared too and must be ignored (it started long before: a stale or reused pid)
        Processes.Started st = start("node", "(sleep 60 & echo $! > adopted.pids.tmp); echo 1 >> adopted.pids.tmp; "
                + "mv adopted.pids.tmp " + Processes.ADOPTED_PIDS + "; echo daemon-$((1 + 1)); exec sleep 60");
        Path log = dir.resolve("logs/node.log");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("daemon-2"));
        long daemonPid = Long.parseLong(Files.readAllLines(dir.resolve("run/node").resolve(Processes.ADOPTED_PIDS)).get(0));
        ProcessHandle daemon = ProcessHandle.of(daemonPid).orElseThrow();
        try {
            ProcessHandle h = st.process().toHandle();
            assertTrue(h.descendants().noneMatch(d -> d.pid() == daemonPid), "the daemon should have left the tree");
            assertEquals(List.of(h.pid(), daemonPid), Processes.roots(h).stream().map(ProcessHandle::pid).toList());
            long alone = Processes.rssBytes(h) - Processes.rssBytes(daemon);
            assertTrue(alone > 0 && alone < Processes.rssBytes(h), "the daemon's memory is counted with the process");
        } finally {
            daemon.destroyForcibly();
        }
    }

    /** One /proc/PID entry as the kernel shows it: its executable and a stat line with that virtual size. */
    private static void proc(Path proc, long pid, long ppid, String exe, long vsize) throws Exception {
        Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.createSymbolicLink(d.resolve("exe"), Path.of(exe));
        StringBuilder stat = new StringBuilder(pid + " (runner lane 3) S " + ppid);
        for (int field = 5; field <= 22; field++) {
            stat.append(' ').append(field);
        }
        Files.writeString(d.resolve("stat"), stat.append(' ').append(vsize).append(" 37000 0 0\n").toString());
    }

    @Test
    void aChildStillInItsParentsAddressSpaceIsNotCountedAgain() throws Exception {
        Path proc = dir.resolve("proc");
        proc(proc, 100, 1, "/usr/lib/jvm/bin/java", 2_500_000_000L); // the runner JVM
        proc(proc, 101, 100, "/usr/lib/jvm/bin/java", 2_500_000_000L); // posix_spawn child before its exec
        proc(proc, 102, 100, "/usr/bin/setsid", 2_600_000L); // after the exec
        proc(proc, 200, 1, "/pg/bin/postgres", 230_000_000L); // a postmaster
        proc(proc, 201, 200, "/pg/bin/postgres", 231_000_000L); // a fork()ed backend with its own mappings
        assertTrue(Processes.inParentsAddressSpace(proc, 101, 100));
        assertFalse(Processes.inParentsAddressSpace(proc, 102, 100));
        assertFalse(Processes.inParentsAddressSpace(proc, 201, 200));
        assertFalse(Processes.inParentsAddressSpace(proc, 103, 100), "gone");
        assertFalse(Processes.inParentsAddressSpace(proc, 100, 0), "no parent");

        // and the real /proc: a thread of this JVM runs in its address space, as a posix_spawn child before its exec
        // does (retried: the JVM may map memory between the two reads); a child that exec'd does not
        long self = ProcessHandle.current().pid();
        long thread;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            thread = tasks.map(t -> Long.parseLong(t.getFileName().toString())).filter(t -> t != self).findFirst()
                    .orElseThrow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Processes.inParentsAddressSpace(Path.of("/proc"), thread, self));
        Processes.Started st = start("tree", "exec sleep 30");
        ProcessHandle sleep = st.process().toHandle();
        await().atMost(Duration.ofSeconds(10)).until(() -> sleep.info().command().orElse("").endsWith("sleep"));
        assertFalse(Processes.inParentsAddressSpace(Path.of("/proc"), sleep.pid(), self));
    }

    @Test
    void theProcTableReadsEachParentOnceAndWalksTrees() throws Exception {
        Path proc = dir.resolve("proc");
        proc(proc, 100, 1, "/usr/lib/jvm/bin/java", 1);
        proc(proc, 101, 100, "/usr/bin/setsid", 1);
        proc(proc, 102, 101, "/usr/bin/sh", 1);
        proc(proc, 103, 102, "/usr/bin/sh", 1);
        proc(proc, 200, 1, "/pg/bin/postgres", 1);
        // a command name with spaces and parentheses: the parent is read after the last ')'
        Path odd = Files.createDirectories(proc.resolve("300"));
        Files.writeString(odd.resolve("stat"), "300 (a) S 7 (b)) S 200 300 300 0 -1\n");
        Files.createDirectories(proc.resolve("301")); // gone between the listing and the read: no stat
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(Files.createDirectories(proc.resolve("302")).resolve("stat"), "302 (x) S\n"); // truncated
        Processes.ProcTable t = Processes.ProcTable.read(proc);
        assertEquals(List.of(101L, 102L, 103L), t.descendants(100));
        assertEquals(List.of(300L), t.descendants(200));
        assertEquals(List.of(), t.descendants(103));
        assertEquals(200, t.parentOf(300));
        assertEquals(-1, t.parentOf(301));
        assertEquals(-1, t.parentOf(302));
        List<Long> all = t.descendants(1); // nearest first: children before grandchildren
        assertEquals(List.of(100L, 101L, 102L, 103L, 200L, 300L), all.stream().sorted().toList());
        assertEquals(List.of(100L, 200L), all.subList(0, 2).stream().sorted().toList());

        // and on the real /proc it agrees with the JDK's own walk
        Processes.Started st = start("tree", "sleep 60 & (sleep 60 & wait) & echo ready; wait");
        ProcessHandle h = st.process().toHandle();
        await().atMost(Duration.ofSeconds(10)).until(() -> h.descendants().count() == 3);
        assertEquals(h.descendants().map(ProcessHandle::pid).sorted().toList(),
                Processes.ProcTable.read().descendants(h.pid()).stream().sorted().toList());
        assertEquals(h.pid(), Processes.ProcTable.read().parentOf(h.children().findFirst().orElseThrow().pid()));
    }

    @Test
    void aReusedPidIsNotTheSameProcess() throws Exception {
        Processes.Started st = start("sleeper", "exec sleep 60");
        StackState.Proc other = new StackState.Proc("sleeper", "enclave", "x", 1, st.record().pid(),
                st.record().processStart().minusSeconds(3600), null, "/x.log", List.of());
        assertTrue(Processes.live(other).isEmpty(), "started an hour earlier: another process with the same pid");
    }

    @Test
    void aWallClockStepDoesNotMakeTheStackSomebodyElse() throws Exception {
        // After the VM was moved ("virtual machine fork" in dmesg) the JDK's start instants of the running stack read
        // off by more than two seconds, and down left it running as if every pid had been reused. The kernel's start
        // (boot id and clock ticks since boot) does not move with the wall clock.
        Processes.Started st = start("sleeper", "exec sleep 60");
        StackState.Proc rec = st.record();
        assertTrue(rec.kernelStart() != null && rec.kernelStart().matches("[0-9a-f-]{36}:[0-9]+"), rec.kernelStart());
        StackState.Proc stepped = new StackState.Proc(rec.name(), rec.plane(), rec.what(), rec.stage(), rec.pid(),
                rec.processStart().minusSeconds(3600), rec.launchedAt(), rec.log(), rec.command(), rec.kernelStart());
        assertTrue(Processes.live(stepped).isPresent(), "the same process, whatever the wall clock says now");
        // and a pid reused by a process that started at another tick is somebody else, even at the same instant
        String[] k = rec.kernelStart().split(":");
        StackState.Proc reused = new StackState.Proc(rec.name(), rec.plane(), rec.what(), rec.stage(), rec.pid(),
                rec.processStart(), rec.launchedAt(), rec.log(), rec.command(), k[0] + ":" + (Long.parseLong(k[1]) + 1));
        assertTrue(Processes.live(reused).isEmpty());
        StackState.Proc otherBoot = new StackState.Proc(rec.name(), rec.plane(), rec.what(), rec.stage(), rec.pid(),
                rec.processStart(), rec.launchedAt(), rec.log(), rec.command(), "00000000-0000-0000-0000-000000000000:" + k[1]);
        assertTrue(Processes.live(otherBoot).isEmpty(), "another boot");
        // a state written before kernelStart existed still works by the instant
        StackState.Proc old = new StackState.Proc(rec.name(), rec.plane(), rec.what(), rec.stage(), rec.pid(),
                rec.processStart(), rec.launchedAt(), rec.log(), rec.command());
        assertTrue(Processes.live(old).isPresent());
    }

    @Test
    void aProcessIgnoringSigtermIsKilledWithItsChildren() throws Exception {
        Processes.Started st = start("stubborn", "trap '' TERM; sleep 300 & echo ready; wait");
        Path log = dir.resolve("logs/stubborn.log");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("ready"));
        await().atMost(Duration.ofSeconds(10)).until(() -> st.process().toHandle().descendants().findAny().isPresent());
        List<ProcessHandle> children = st.process().toHandle().descendants().toList();
        String how = Processes.stop(st.process().toHandle(), Duration.ofSeconds(2));
        assertEquals("killed after 2 s", how);
        assertTrue(st.process().waitFor(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    /** A process that starts {@code daemon} outside its own tree, declares it, ignores SIGTERM and says "ready". */
    private record Declared(ProcessHandle node, ProcessHandle daemon) {
    }

    private Declared hungNodeWithDaemon(String name, String daemonCommand) throws Exception {
        Processes.Started st = start(name, "( " + daemonCommand + " & echo $! > adopted.pids.tmp ); mv adopted.pids.tmp "
                + Processes.ADOPTED_PIDS + "; trap '' TERM; echo ready; while :; do sleep 1; done");
        Path log = dir.resolve("logs/" + name + ".log");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("ready"));
        long daemonPid = Long.parseLong(Files.readAllLines(dir.resolve("run").resolve(name)
                .resolve(Processes.ADOPTED_PIDS)).get(0).trim());
        ProcessHandle daemon = ProcessHandle.of(daemonPid).orElseThrow();
        started.add(daemon);
        ProcessHandle node = st.process().toHandle();
        assertTrue(node.descendants().noneMatch(d -> d.pid() == daemonPid), "the daemon should have left the tree");
        return new Declared(node, daemon);
    }

    @Test
    void aDeclaredDaemonOutlivingAKilledProcessIsStoppedWithSigterm() throws Exception {
        // a PostgreSQL node that hangs past its grace period is killed before it can stop its server (pg_ctl leaves
        // the postmaster to init): the server it declared must not keep running after down
        Declared d = hungNodeWithDaemon("hung-node", "sleep 300");
        String how = Processes.stop(d.node(), Duration.ofSeconds(2));
        assertEquals("killed after 2 s; its daemon [" + d.daemon().pid() + "] outlived it and was stopped (SIGTERM)",
                how);
        assertFalse(d.daemon().isAlive());
    }

    @Test
    void aDaemonIgnoringSigtermIsNamedAndNotKilled() throws Exception {
        Declared d = hungNodeWithDaemon("node-with-stubborn-daemon", "(trap '' TERM; exec sleep 300)");
        String how = Processes.stop(d.node(), Duration.ofSeconds(1));
        assertEquals("killed after 1 s; its daemon [" + d.daemon().pid() + "] is still running after SIGTERM and 1 s "
                + "(left alone: stop it yourself)", how);
        assertTrue(d.daemon().isAlive(), "never SIGKILL a declared daemon (a postmaster would leave its backends behind)");
    }

    @Test
    void failureMessagesQuoteTheFirstErrorAndTheLastLines() throws Exception {
        Processes.Started st = start("failing", "echo starting; echo 'Exception in thread \"main\" java.lang.OutOfMemoryError: "
                + "Java heap space'; echo '\tat somewhere'; exit 1");
        assertTrue(st.process().waitFor(20, TimeUnit.SECONDS));
        assertNotEquals(0, st.process().exitValue());
        Path log = dir.resolve("logs/failing.log");
        assertEquals("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
                Processes.firstError(log, st.logOffset()).orElseThrow());
        List<String> tail = Processes.tail(log, 2);
        assertEquals(2, tail.size());
        assertTrue(tail.get(1).contains("at somewhere"), tail::toString);
    }
}
