package dev.airlock.deploy.stack;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Starting, finding, measuring and stopping the stack's child processes (Linux first, POSIX where it can). */
public final class Processes {
    private static final Optional<Path> SETSID = findOnPath("setsid");

    private Processes() {
    }

    /** A started process: its handle (for exit codes while {@code up} waits) and the record persisted in stack.json. */
    public record Started(Process process, StackState.Proc record, long logOffset) {
    }

    /**
     * Starts {@code spec} detached from the caller: in its own session (via {@code setsid}, when available) so that a
     * Ctrl-C or a closed terminal reaches {@code airlock}, never the stack; stdin from {@code /dev/null}; stdout and
     * stderr appended to its log file.
     */
    public static Started start(ProcessSpec spec) throws IOException {
        Files.createDirectories(spec.log().getParent());
        Files.createDirectories(spec.workDir());
        String header = String.format(Locale.ROOT, "%n===== %s airlock up: starting %s (%s)%n===== %s%n", Instant.now(),
                spec.name(), spec.what(), String.join(" ", spec.command()));
        Files.writeString(spec.log(), header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long offset = Files.size(spec.log());
        List<String> cmd = new ArrayList<>();
        SETSID.ifPresent(p -> cmd.add(p.toString()));
        cmd.addAll(spec.command());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(spec.workDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()))
                .redirectErrorStream(true);
        // The child's configuration is what the stack writes, not whatever the caller's shell exports.
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("AIRLOCK_")
                || k.startsWith("KAFKA_") || k.startsWith("MP_MESSAGING_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("_JAVA_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().putAll(spec.env());
        Process p = pb.start();
        Instant start = p.info().startInstant().orElse(Instant.now());
        StackState.Proc rec = new StackState.Proc(spec.name(), spec.plane().label(), spec.what(), spec.stage(), p.pid(), start,
                Instant.now(), spec.log().toString(), spec.command(), kernelStart(p.pid()).orElse(null));
        return new Started(p, rec, offset);
    }

    /**
     * The live process of a record, if it is still the same process: same boot and same start in clock ticks since
     * boot ({@link #kernelStart}) where the record has them, else the same start instant within two seconds.
     */
    public static Optional<ProcessHandle> live(StackState.Proc rec) {
        return ProcessHandle.of(rec.pid()).filter(ProcessHandle::isAlive).filter(h -> {
            if (rec.kernelStart() != null) {
                Optional<String> now = kernelStart(rec.pid());
                if (now.isPresent()) {
                    return now.get().equals(rec.kernelStart());
                }
            }
            Optional<Instant> s = h.info().startInstant();
            // Instants from /proc are precise to the clock tick; another process reusing the pid starts much later.
            return s.isEmpty() || rec.processStart() == null
                    || Duration.between(rec.processStart(), s.get()).abs().compareTo(Duration.ofSeconds(2)) <= 0;
        });
    }

    /**
     * {@code <boot id>:<start time>} of a process: {@code /proc/sys/kernel/random/boot_id} and field 22 of
     * {@code /proc/PID/stat} (clock ticks since boot). Both stay put when the wall clock steps, which moves the start
     * instants the JDK computes from the boot time; empty where there is no {@code /proc} or the process is gone.
     */
    static Optional<String> kernelStart(long pid) {
        try {
            String boot = Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim();
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            // after the last ')' (the command name may hold spaces and parentheses): field 3, the state, comes first
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String ticks = f[19];
            if (boot.isEmpty() || ticks.isEmpty() || !ticks.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            return Optional.of(boot + ":" + ticks);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The file in a stack process's working directory that names the daemons it started (one pid per line). */
    public static final String ADOPTED_PIDS = "adopted.pids";

    /**
     * The process and the daemons it declared in {@value #ADOPTED_PIDS} in its working directory: processes it
     * started that then left its tree (a PostgreSQL postmaster, started through {@code pg_ctl}, belongs to init).
     * A declared pid counts only while it is alive and started after the process (not a reused pid).
     */
    public static List<ProcessHandle> roots(ProcessHandle h) {
        return roots(h, ProcTable.read());
    }

    private static List<ProcessHandle> roots(ProcessHandle h, ProcTable table) {
        List<ProcessHandle> roots = new ArrayList<>();
        roots.add(h);
        Optional<Instant> started = h.info().startInstant();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(h.pid()), "cwd", ADOPTED_PIDS))) {
                long pid = Long.parseLong(line.trim());
                // itself, a repeat, or still inside its tree (counted there already)
                if (roots.stream().anyMatch(r -> r.pid() == pid) || table.descendants(h.pid()).contains(pid)) {
                    continue;
                }
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                        .filter(d -> started.isEmpty() || d.info().startInstant().map(s -> !s.isBefore(
                                started.get().minusSeconds(1))).orElse(true))
                        .ifPresent(roots::add);
            }
        } catch (IOException | RuntimeException e) {
            // none declared, or not Linux
        }
        return roots;
    }

    /**
     * Memory of a process tree (see {@link #roots}): {@code rss} sums each process's resident set, so pages several
     * processes share (PostgreSQL's shared buffers in every backend) count once per process; {@code pss} splits each
     * shared page among its sharers (Linux {@code smaps_rollup}), so across a whole stack every page counts once.
     */
    public record Memory(long rss, long pss) {
        public Memory plus(Memory o) {
            return new Memory(rss + o.rss, pss + o.pss);
        }
    }

    /**
     * Resident memory of the process, its descendants and its declared daemons with theirs, in bytes, from
     * {@code /proc/PID/status} only: about 2 ms of CPU for a whole stack, where {@link #memory} makes the kernel walk
     * every mapping ({@code smaps_rollup}: 40-90 ms for a stack's 47 processes on the development machine).
     */
    public static long rssBytes(ProcessHandle h) {
        return memory(h, false, ProcTable.read()).rss();
    }

    /** Resident set and proportional set size of the process tree (as {@link #rssBytes}), in bytes. */
    public static Memory memory(ProcessHandle h) {
        return memory(h, true, ProcTable.read());
    }

    /**
     * Memory of the process tree as {@link #memory} ({@code pss} true) or {@link #rssBytes} ({@code pss} false, pss 0),
     * with the tree taken from {@code table}: a sampler that measures every process of a stack reads {@code /proc}
     * once per sample for all of them.
     */
    public static Memory memory(ProcessHandle h, boolean pss, ProcTable table) {
        Memory total = new Memory(0, 0);
        for (ProcessHandle r : roots(h, table)) {
            total = total.plus(memoryOf(r.pid(), pss));
            for (long d : table.descendants(r.pid())) {
                if (!inParentsAddressSpace(PROC, d, table.parentOf(d))) {
                    total = total.plus(memoryOf(d, pss));
                }
            }
        }
        return total;
    }

    /**
     * The parent of every process, from one pass over {@code /proc} (one read of each {@code /proc/PID/stat}).
     * {@link ProcessHandle#descendants()} makes such a pass each time it is called: measuring a stack's eleven process
     * trees that way took about fifteen passes over some 150 processes per sample, most of a load run's sampling cost.
     * Where there is no {@code /proc}, the table comes from {@link ProcessHandle#allProcesses()}.
     */
    public static final class ProcTable {
        private final Map<Long, Long> parents;
        private final Map<Long, List<Long>> children = new HashMap<>();

        private ProcTable(Map<Long, Long> parents) {
            this.parents = parents;
            parents.forEach((pid, parent) -> children.computeIfAbsent(parent, k -> new ArrayList<>()).add(pid));
        }

        /** The processes running now. */
        public static ProcTable read() {
            return Files.isDirectory(PROC) ? read(PROC) : fromProcessHandles();
        }

        static ProcTable read(Path proc) {
            Map<Long, Long> parents = new HashMap<>();
            String[] names = proc.toFile().list();
            byte[] buf = new byte[1024];
            for (String name : names == null ? new String[0] : names) {
                if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9') {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                long parent = parentFromStat(new File(proc.toFile(), name + "/stat"), buf);
                if (parent >= 0) {
                    parents.put(pid, parent);
                }
            }
            return new ProcTable(parents);
        }

        private static ProcTable fromProcessHandles() {
            Map<Long, Long> parents = new HashMap<>();
            ProcessHandle.allProcesses().forEach(h -> parents.put(h.pid(), h.parent().map(ProcessHandle::pid).orElse(0L)));
            return new ProcTable(parents);
        }

        /**
         * Field 4 of a {@code stat} file (the parent pid), read after the last ')' since the command name before it
         * may hold spaces and parentheses; -1 when the process is gone or the line is not one.
         */
        static long parentFromStat(File stat, byte[] buf) {
            int n = 0;
            try (FileInputStream in = new FileInputStream(stat)) {
                int r;
                while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                    n += r;
                }
            } catch (IOException e) {
                return -1;
            }
            int close = -1;
            for (int i = n - 1; i >= 0; i--) {
                if (buf[i] == ')') {
                    close = i;
                    break;
                }
            }
            // ") S 1234 ": the state, one character, then the parent pid
            int i = close + 4;
            if (close < 0 || i >= n || buf[close + 1] != ' ' || buf[close + 3] != ' ') {
                return -1;
            }
            long parent = 0;
            int digits = 0;
            for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++, digits++) {
                parent = parent * 10 + (buf[i] - '0');
            }
            return digits == 0 || i >= n || buf[i] != ' ' ? -1 : parent;
        }

        /** Every process below {@code pid} (children, their children, ...), nearest first. */
        public List<Long> descendants(long pid) {
            List<Long> out = new ArrayList<>();
            Set<Long> seen = new HashSet<>(Set.of(pid));
            Deque<Long> todo = new ArrayDeque<>(children.getOrDefault(pid, List.of()));
            while (!todo.isEmpty()) {
                long d = todo.removeFirst();
                if (!seen.add(d)) {
                    continue; // a pid reused while /proc was read: never loop
                }
                out.add(d);
                todo.addAll(children.getOrDefault(d, List.of()));
            }
            return out;
        }

        /** The parent of {@code pid} when the table was read; -1 when it was not there. */
        public long parentOf(long pid) {
            return parents.getOrDefault(pid, -1L);
        }
    }

    private static final Path PROC = Path.of("/proc");

    /**
     * Whether {@code pid} still runs in its parent's address space: a child between {@code clone(CLONE_VM |
     * CLONE_VFORK)} and {@code exec}, which is how the JDK starts every process ({@code posix_spawn}). {@code /proc}
     * reports its parent's whole memory for it, so counting it counts the parent twice: during a load run, the runner
     * (150 MB) once more for each validation being started at the moment of the sample. Such a child has its parent's
     * executable and exactly its virtual size. A {@code fork()}ed child that matches (a PostgreSQL backend in its first
     * instant) has not mapped anything of its own yet, and its pages are its parent's too.
     */
    static boolean inParentsAddressSpace(Path proc, long pid, long parent) {
        if (parent <= 0) {
            return false;
        }
        try {
            Path pidDir = proc.resolve(Long.toString(pid));
            Path parentDir = proc.resolve(Long.toString(parent));
            if (!Files.readSymbolicLink(pidDir.resolve("exe")).equals(Files.readSymbolicLink(parentDir.resolve("exe")))) {
                return false;
            }
            long vsize = vsize(pidDir);
            return vsize > 0 && vsize == vsize(parentDir);
        } catch (IOException | RuntimeException e) {
            return false; // gone, a kernel thread, or not ours to read
        }
    }

    /** Field 23 of {@code /proc/PID/stat}: virtual memory size in bytes. */
    private static long vsize(Path pidDir) throws IOException {
        String s = Files.readString(pidDir.resolve("stat"), StandardCharsets.US_ASCII);
        // fields after the command name, which may hold spaces: state(3) ppid(4) ... vsize(23)
        return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).trim().split(" ")[20]);
    }

    /** With {@code withPss} false, only the resident set (pss 0). */
    private static Memory memoryOf(long pid, boolean withPss) {
        if (!withPss) {
            return new Memory(rssOf(pid), 0);
        }
        long rss = -1;
        long pss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Rss:")) {
                    rss = kib(line.substring(4));
                } else if (line.startsWith("Pss:")) {
                    pss = kib(line.substring(4));
                }
            }
        } catch (IOException | RuntimeException e) {
            // an older kernel, or gone
        }
        if (rss < 0 || pss < 0) {
            rss = rssOf(pid);
            pss = rss;
        }
        return new Memory(rss, pss);
    }

    private static long rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return kib(line.substring(6));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    private static long kib(String value) {
        return Long.parseLong(value.trim().split("\\s+")[0]) * 1024;
    }

    /**
     * CPU time (user + system) of a process tree in ms: the process and its declared daemons (see {@link #roots}),
     * their live descendants, and what each of them reaped (a validation run the runner waited for, a PostgreSQL
     * backend that exited). A child is counted once: while it lives under its own entry, afterwards in its parent's
     * reaped time. 0 where there is no {@code /proc}.
     */
    public static double cpuMillis(ProcessHandle h) {
        return cpuMillis(h, ProcTable.read());
    }

    /** As {@link #cpuMillis(ProcessHandle)}, with the tree taken from {@code table}. */
    public static double cpuMillis(ProcessHandle h, ProcTable table) {
        long ticks = 0;
        for (ProcessHandle r : roots(h, table)) {
            ticks += ticksOf(r.pid(), true);
            for (long d : table.descendants(r.pid())) {
                ticks += ticksOf(d, true);
            }
        }
        return ticks * 10.0; // USER_HZ is 100 on Linux
    }

    /** CPU time of this one process (its threads), in ms, without children. */
    public static double ownCpuMillis(ProcessHandle h) {
        return ticksOf(h.pid(), false) * 10.0;
    }

    private static long ticksOf(long pid, boolean withReaped) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // fields after the command name, which may hold spaces: state ppid ... utime(14) stime cutime cstime
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withReaped ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException | RuntimeException e) {
            return 0; // gone, or not Linux
        }
    }

    /**
     * Stops a process and its descendants: SIGTERM to the process (its own shutdown hooks stop what it started),
     * wait up to {@code grace}, then SIGKILL to whatever of the tree is left.
     *
     * @return how it ended: "stopped" or "killed after Ns"
     */
    public static String stop(ProcessHandle h, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>(h.descendants().toList());
        // read now: the declaration lives in the process's working directory, which /proc forgets once it exits
        List<ProcessHandle> daemons = roots(h).stream().filter(r -> r.pid() != h.pid()).toList();
        h.destroy();
        boolean exited = waitFor(h, grace);
        // Descendants that outlived their parent (a PostgreSQL server after its node died) are stopped too.
        Deque<ProcessHandle> left = new ArrayDeque<>();
        for (ProcessHandle d : tree) {
            if (d.isAlive()) {
                left.add(d);
            }
        }
        if (!left.isEmpty()) {
            left.forEach(ProcessHandle::destroy);
            for (ProcessHandle d : left) {
                waitFor(d, Duration.ofSeconds(5));
            }
        }
        if (!exited) {
            h.destroyForcibly();
            waitFor(h, Duration.ofSeconds(5));
        }
        left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        String how = exited ? "stopped" : String.format(Locale.ROOT, "killed after %d s", grace.toSeconds());
        return how + stopDaemons(daemons, grace);
    }

    /**
     * Declared daemons that outlived their process: normally the process stops them itself (a PostgreSQL node runs
     * {@code pg_ctl stop} on SIGTERM), but not when it had to be killed. They get SIGTERM, which for a postmaster is a
     * smart shutdown that completes once its clients are gone (the services stop before the databases), and never
     * SIGKILL: a postmaster killed outright leaves its backends and shared memory behind. One still running is named.
     */
    private static String stopDaemons(List<ProcessHandle> daemons, Duration grace) {
        List<ProcessHandle> alive = daemons.stream().filter(ProcessHandle::isAlive).toList();
        if (alive.isEmpty()) {
            return "";
        }
        alive.forEach(ProcessHandle::destroy);
        List<Long> stopped = new ArrayList<>();
        List<Long> running = new ArrayList<>();
        for (ProcessHandle d : alive) {
            (waitFor(d, grace) ? stopped : running).add(d.pid());
        }
        StringBuilder how = new StringBuilder();
        if (!stopped.isEmpty()) {
            how.append("; its daemon ").append(stopped).append(" outlived it and was stopped (SIGTERM)");
        }
        if (!running.isEmpty()) {
            how.append("; its daemon ").append(running).append(" is still running after SIGTERM and ")
                    .append(grace.toSeconds()).append(" s (left alone: stop it yourself)");
        }
        return how.toString();
    }

    private static boolean waitFor(ProcessHandle h, Duration d) {
        try {
            h.onExit().get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        }
    }

    /** The last {@code n} lines of a log, for failure messages. */
    public static List<String> tail(Path log, int n) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - 64 * 1024);
            f.seek(from);
            byte[] b = new byte[(int) (len - from)];
            f.readFully(b);
            List<String> lines = new String(b, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    /** The first line of a log (from {@code offset}) that names an error, for the one-line failure message. */
    public static Optional<String> firstError(Path log, long offset) {
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(offset, Files.size(log)));
            return new String(in.readNBytes(4 * 1024 * 1024), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("\t") && !l.startsWith(" "))
                    .filter(l -> l.contains("Exception") || l.contains("Error") || l.contains(" ERROR ")
                            || l.startsWith("ERROR") || l.contains("FATAL") || l.contains("failed"))
                    .map(l -> l.length() > 300 ? l.substring(0, 300) + "…" : l)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
