package dev.airlock.deploy.stack;

import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's lifecycle: {@code up} (preflight, site, infrastructure, topics, policy, services — each healthy
 * before the next stage), {@code status}, {@code down} (reverse order, SIGTERM then SIGKILL, idempotent).
 */
public final class Stack {
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);

    private final StackSettings settings;
    private final Progress progress;
    private final Clock clock;

    public Stack(StackSettings settings, Progress progress, Clock clock) {
        this.settings = settings;
        this.progress = progress;
        this.clock = clock;
    }

    public StackSettings settings() {
        return settings;
    }

    /** The result of {@code up}: the running processes and the site they serve. */
    public record Up(Site site, StackState state, Duration took, Processes.Memory memory, boolean alreadyRunning) {
    }

    public Up up() throws StackException, IOException {
        Instant t0 = clock.instant();
        progress.line("airlock up: state in %s (%s)", settings.home(), settings.describePorts());
        Instant t = clock.instant();
        String java;
        String disk;
        try {
            java = Preflight.java();
            disk = Preflight.disk(settings.home());
        } catch (Preflight.Failed e) {
            throw new StackException(e.getMessage());
        }
        Files.createDirectories(settings.logs());
        try (FileChannel ch = FileChannel.open(settings.home().resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
            if (lock == null) {
                throw new StackException("another airlock up or down is working on " + settings.home() + "; wait for it");
            }
            return upLocked(t0, t, java, disk);
        }
    }

    private Up upLocked(Instant t0, Instant t, String java, String disk) throws StackException, IOException {
        StackState state = StackState.read(settings.stateFile()).orElse(StackState.empty(settings));
        if (!state.home().equals(settings.home().toString()) || !state.ports().equals(settings.ports())) {
            if (state.processes().stream().anyMatch(p -> Processes.live(p).isPresent())) {
                throw new StackException("a stack with other ports is running from " + settings.home()
                        + "; run ./airlock down first (with the same AIRLOCK_PORT_BASE it was started with)");
            }
            state = StackState.empty(settings);
        }

        Site.Ensured ensured = Site.ensure(settings.site(), clock);
        Site site = ensured.site();
        StackPlan plan = new StackPlan(settings, site);
        List<String> missing = plan.artifacts().missing();
        if (!missing.isEmpty()) {
            throw new StackException("not built: " + String.join(", ", missing)
                    + "; run ./airlock up (it builds what is missing) or ./mvnw -B package -DskipTests");
        }
        List<ProcessSpec> specs = plan.processes();
        Map<Integer, String> ports = new LinkedHashMap<>();
        Integer udp = null;
        List<ProcessSpec> toStart = new ArrayList<>();
        for (ProcessSpec spec : specs) {
            Optional<StackState.Proc> rec = state.find(spec.name());
            if (rec.isPresent() && Processes.live(rec.get()).isPresent()) {
                continue;
            }
            toStart.add(spec);
            for (int p : spec.tcpPorts()) {
                ports.put(p, settings.ports().tcp().getOrDefault(p, spec.name()));
            }
            if (spec.name().equals("diode-receive")) {
                udp = settings.ports().diode();
            }
        }
        String portsFree;
        try {
            portsFree = Preflight.ports(ports, udp);
        } catch (Preflight.Failed e) {
            throw new StackException(e.getMessage());
        }
        progress.step("preflight", "ok", Duration.between(t, clock.instant()), java + ", " + disk + ", " + portsFree);

        t = clock.instant();
        var trusted = site.policy();
        progress.step("site", ensured.createdPolicy() ? "created" : "reused", Duration.between(t, clock.instant()),
                String.format(Locale.ROOT, "%s: %s, policy v%d %s (root %d of %d), environment %s",
                        settings.home().relativize(site.dir()),
                        ensured.createdKeys().isEmpty() ? "keys reused" : ensured.createdKeys().size() + " keys generated",
                        trusted.version(), abbreviate(trusted.digest()), trusted.rootThreshold(), trusted.rootKeys().size(),
                        Site.ENVIRONMENT));
        if (trusted.expiresAt().isBefore(clock.instant().plus(Duration.ofDays(14)))) {
            progress.line("warning: the site policy expires at %s; sign a new version (README: policy rotation)",
                    trusted.expiresAt());
        }

        if (toStart.isEmpty()) {
            progress.line("airlock up: the stack is already running; checking its health");
            try {
                for (ProcessSpec spec : specs) {
                    StackState.Proc rec = state.find(spec.name()).orElseThrow();
                    awaitHealthy(spec, Processes.live(rec).orElseThrow(), null, rec, 0);
                }
            } catch (Unhealthy u) {
                throw new StackException(u.getMessage() + System.lineSeparator() + "The stack keeps running; "
                        + "./airlock down stops it");
            }
            return new Up(site, state, Duration.between(t0, clock.instant()), totalMemory(state), true);
        }

        List<Processes.Started> startedHere = new ArrayList<>();
        try {
            state = startStage(0, toStart, state, startedHere);
            t = clock.instant();
            ensureExternalDatabases();
            int control = KafkaSetup.ensureTopics(settings.ports().controlBootstrap(), Topics.CONTROL);
            int enclave = KafkaSetup.ensureTopics(settings.ports().enclaveBootstrap(), Topics.ENCLAVE);
            progress.step("topics", "ok", Duration.between(t, clock.instant()), String.format(Locale.ROOT,
                    "%d created on control, %d on enclave (with .dlq twins), max.message.bytes %s", control, enclave,
                    Progress.bytes(StackPlan.MAX_MESSAGE_BYTES)));
            t = clock.instant();
            if (!KafkaSetup.hasRecords(settings.ports().controlBootstrap(), Topics.POLICY_SIGNED)) {
                KafkaSetup.publish(settings.ports().controlBootstrap(), Topics.POLICY_SIGNED, "policy",
                        site.policyEnvelope(), PayloadTypes.POLICY, "urn:airlock:governance");
                progress.step("policy", "published", Duration.between(t, clock.instant()), String.format(Locale.ROOT,
                        "v%d to %s (control): it crosses the diode like any policy; gateway and evidence also trust it "
                                + "on install", trusted.version(), Topics.POLICY_SIGNED));
            } else {
                progress.step("policy", "present", Duration.between(t, clock.instant()),
                        Topics.POLICY_SIGNED + " already holds the site policy");
            }
            removeStaleMembers(toStart);
            state = startStage(1, toStart, state, startedHere);
        } catch (StackException | IOException | RuntimeException e) {
            stopStarted(startedHere, state);
            throw e instanceof StackException se ? se : new StackException(e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (Exception e) {
            stopStarted(startedHere, state);
            throw new StackException("stack setup failed: " + e.getMessage(), e);
        }
        Processes.Memory memory = totalMemory(state);
        Duration took = Duration.between(t0, clock.instant());
        progress.line("airlock up: stack healthy in %s: %d processes, %s of memory (PSS); logs in %s; ./airlock status, "
                + "./airlock down", Progress.seconds(took), state.processes().size(), Progress.bytes(memory.pss()),
                settings.logs());
        return new Up(site, state, took, memory, false);
    }

    /**
     * Before services start: their consumer groups may still hold members of processes that are gone (a crash, kill -9,
     * a reboot; {@code down} lets them leave). Those would hold the partitions until their sessions expire (45 s) while
     * the group looks healthy. Every process in {@code toStart} is not running (checked from the state file), and the
     * local brokers are the stack's own, so every such member is stale.
     */
    private void removeStaleMembers(List<ProcessSpec> toStart) throws InterruptedException {
        Instant t = clock.instant();
        List<String> removed = new ArrayList<>();
        for (Plane plane : Plane.values()) {
            List<String> groups = toStart.stream().filter(p -> p.stage() == 1 && p.plane() == plane)
                    .flatMap(p -> p.consumerGroups().stream()).toList();
            String bootstrap = plane == Plane.CONTROL ? settings.ports().controlBootstrap()
                    : settings.ports().enclaveBootstrap();
            try {
                KafkaSetup.removeStaleMembers(bootstrap, groups).forEach((g, n) -> removed.add(n + " in " + g));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // not fatal: at worst a service waits for a dead member's session to expire, as without this step
                progress.line("warning: could not clean the consumer groups on %s (%s); a service may wait up to 45 s "
                        + "for members of processes that are gone", bootstrap, e.getCause() != null
                        ? e.getCause().toString() : e.toString());
            }
        }
        if (!removed.isEmpty()) {
            progress.step("groups", "cleaned", Duration.between(t, clock.instant()), String.format(Locale.ROOT,
                    "removed consumer-group members left by processes no longer running (%s); their successors "
                            + "would otherwise wait up to 45 s for those sessions to expire", String.join(", ", removed)));
        }
    }

    /** Starts the not-yet-running processes of one stage together, then waits until each is healthy. */
    private StackState startStage(int stage, List<ProcessSpec> toStart, StackState state, List<Processes.Started> startedHere)
            throws StackException, IOException {
        List<ProcessSpec> specs = toStart.stream().filter(s -> s.stage() == stage).toList();
        Map<ProcessSpec, Processes.Started> started = new LinkedHashMap<>();
        for (ProcessSpec spec : specs) {
            Processes.Started st = Processes.start(spec);
            started.put(spec, st);
            startedHere.add(st);
            state = state.with(st.record());
            state.write(settings.stateFile());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, specs.size()), r -> {
            Thread th = new Thread(r, "health");
            th.setDaemon(true);
            return th;
        });
        try {
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            for (Map.Entry<ProcessSpec, Processes.Started> e : started.entrySet()) {
                Processes.Started st = e.getValue();
                waits.add(CompletableFuture.runAsync(() -> awaitHealthy(e.getKey(), st.process().toHandle(), st.process(),
                        st.record(), st.logOffset()), pool));
            }
            for (CompletableFuture<Void> w : waits) {
                try {
                    w.join();
                } catch (java.util.concurrent.CompletionException ex) {
                    if (ex.getCause() instanceof Unhealthy u) {
                        throw new StackException(u.getMessage());
                    }
                    throw ex;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return state;
    }

    private static final class Unhealthy extends RuntimeException {
        Unhealthy(String message) {
            super(message);
        }
    }

    /** Polls {@code spec}'s health until healthy; {@code process} (when this JVM started it) gives the exit code. */
    private void awaitHealthy(ProcessSpec spec, ProcessHandle handle, Process process, StackState.Proc rec, long logOffset) {
        Instant begin = clock.instant();
        HealthCheck check = spec.health().forStart(rec.processStart(), logOffset);
        Instant deadline = begin.plus(settings.startTimeout());
        HealthCheck.Result last;
        while (true) {
            if (!handle.isAlive()) {
                String code = process == null ? "" : " with code " + process.exitValue();
                throw new Unhealthy(String.format(Locale.ROOT, "%s exited%s while starting (%s)%s. Last lines of %s:%n%s",
                        spec.name(), code, spec.what(),
                        Processes.firstError(spec.log(), logOffset).map(l -> ": " + l).orElse(""), spec.log(),
                        indent(Processes.tail(spec.log(), 12))));
            }
            last = check.probe();
            if (last.healthy()) {
                progress.step(spec.name(), "healthy", Duration.between(process == null ? begin : rec.launchedAt(),
                        clock.instant()), "pid " + rec.pid() + ", " + last.detail());
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new Unhealthy(String.format(Locale.ROOT, "%s did not become healthy within %d s: %s (check: %s). "
                                + "Last lines of %s:%n%s", spec.name(), settings.startTimeout().toSeconds(), last.detail(),
                        check.describe(), spec.log(), indent(Processes.tail(spec.log(), 12))));
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis()); // polling a child process, not test synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unhealthy("interrupted while waiting for " + spec.name());
            }
        }
    }

    private static String indent(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append("    | ").append(l).append(System.lineSeparator());
        }
        return sb.toString().stripTrailing();
    }

    /** After a failed {@code up}: stop what this run started (in reverse), keep what was running before. */
    private void stopStarted(List<Processes.Started> started, StackState state) {
        List<Processes.Started> rev = new ArrayList<>(started);
        java.util.Collections.reverse(rev);
        StackState s = state;
        for (Processes.Started st : rev) {
            Processes.live(st.record()).ifPresent(h -> Processes.stop(h, Duration.ofSeconds(15)));
            s = s.without(st.record().name());
        }
        try {
            s.write(settings.stateFile());
        } catch (IOException e) {
            progress.line("warning: cannot update %s: %s", settings.stateFile(), e.getMessage());
        }
        if (!started.isEmpty()) {
            progress.line("airlock up: stopped the %d process(es) this run had started; their logs stay in %s",
                    started.size(), settings.logs());
        }
    }

    /** For a PostgreSQL given by URL: the databases each service needs, created when missing. */
    private void ensureExternalDatabases() throws StackException {
        for (var e : List.of(Map.entry(settings.controlDb(), StackPlan.CONTROL_DATABASES),
                Map.entry(settings.enclaveDb(), StackPlan.ENCLAVE_DATABASES))) {
            PostgresTarget db = e.getKey();
            if (db.embedded()) {
                continue;
            }
            Instant t = clock.instant();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl("postgres"), db.user(), db.password());
                 Statement s = c.createStatement()) {
                for (String name : e.getValue()) {
                    try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                        if (!rs.next()) {
                            s.execute("create database " + name);
                        }
                    }
                }
            } catch (SQLException ex) {
                throw new StackException("cannot use " + db.describe() + ": " + ex.getMessage()
                        + " (the user needs to connect to database 'postgres' and to create databases "
                        + String.join(", ", e.getValue()) + ")");
            }
            progress.step("postgres", "ok", Duration.between(t, clock.instant()), db.describe() + " databases "
                    + e.getValue());
        }
    }

    // ---- status ----

    /** One process as {@code status} reports it. */
    /** {@code rssBytes} sums resident sets (shared pages once per process); {@code pssBytes} counts each page once. */
    public record ProcessStatus(String name, String plane, long pid, boolean alive, boolean healthy, String health,
                                long rssBytes, long pssBytes, String log) {
    }

    public record Status(boolean running, boolean healthy, List<ProcessStatus> processes, long rssBytes, long pssBytes) {
    }

    /**
     * The stack's live processes by name, from its state file, without probing their health: cheap enough to sample
     * memory and CPU during a load run ({@link #status} opens a Kafka admin client, a JDBC connection and HTTP requests).
     */
    public Map<String, ProcessHandle> liveProcesses() throws IOException {
        Map<String, ProcessHandle> live = new LinkedHashMap<>();
        StackState.read(settings.stateFile()).ifPresent(st -> st.processes().forEach(
                p -> Processes.live(p).ifPresent(h -> live.put(p.name(), h))));
        return live;
    }

    public Status status() throws IOException {
        Optional<StackState> read = StackState.read(settings.stateFile());
        if (read.isEmpty() || read.get().processes().isEmpty()) {
            return new Status(false, false, List.of(), 0, 0);
        }
        StackState state = read.get();
        Map<String, ProcessSpec> specs = new LinkedHashMap<>();
        try {
            Site site = Site.ensure(settings.site(), clock).site();
            for (ProcessSpec s : new StackPlan(settings, site).processes()) {
                specs.put(s.name(), s);
            }
        } catch (IOException | RuntimeException e) {
            // without a plan, status still reports pids and memory
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, state.processes().size()));
        try {
            List<CompletableFuture<ProcessStatus>> futures = new ArrayList<>();
            for (StackState.Proc p : state.processes()) {
                futures.add(CompletableFuture.supplyAsync(() -> statusOf(p, specs.get(p.name())), pool));

            }
            List<ProcessStatus> list = futures.stream().map(CompletableFuture::join).toList();
            boolean anyAlive = list.stream().anyMatch(ProcessStatus::alive);
            boolean allHealthy = list.stream().allMatch(ProcessStatus::healthy);
            return new Status(anyAlive, allHealthy, list, list.stream().mapToLong(ProcessStatus::rssBytes).sum(),
                    list.stream().mapToLong(ProcessStatus::pssBytes).sum());
        } finally {
            pool.shutdownNow();
        }
    }

    private ProcessStatus statusOf(StackState.Proc p, ProcessSpec spec) {
        Optional<ProcessHandle> h = Processes.live(p);
        if (h.isEmpty()) {
            return new ProcessStatus(p.name(), p.plane(), p.pid(), false, false, "not running", 0, 0, p.log());
        }
        Processes.Memory m = Processes.memory(h.get());
        if (spec == null) {
            return new ProcessStatus(p.name(), p.plane(), p.pid(), true, false, "running (no health check known)", m.rss(), m.pss(),
                    p.log());
        }
        HealthCheck.Result r = spec.health().forStart(p.processStart(), 0).probe();
        return new ProcessStatus(p.name(), p.plane(), p.pid(), true, r.healthy(), r.detail(), m.rss(), m.pss(), p.log());
    }

    public void printStatus(Status st) {
        if (!st.running() && st.processes().isEmpty()) {
            progress.line("airlock status: no stack in %s (./airlock up starts one)", settings.home());
            return;
        }
        progress.line("  %-18s %-8s %-7s %-9s %9s %9s  %s", "PROCESS", "PLANE", "PID", "HEALTH", "RSS", "PSS",
                "LOG / DETAIL");
        for (ProcessStatus p : st.processes()) {
            progress.line("  %-18s %-8s %-7d %-9s %9s %9s  %s", p.name(), p.plane(), p.pid(),
                    !p.alive() ? "DOWN" : p.healthy() ? "healthy" : "UNHEALTHY", p.alive() ? Progress.bytes(p.rssBytes()) : "-",
                    p.alive() ? Progress.bytes(p.pssBytes()) : "-", settings.root().relativize(Path.of(p.log())));
            progress.line("  %-18s %s", "", p.health());
        }
        progress.line("airlock status: %s; %d processes, %s of memory (PSS: each page once; %s summing RSS)",
                st.healthy() ? "all healthy" : st.running() ? "NOT all healthy" : "stopped", st.processes().size(),
                Progress.bytes(st.pssBytes()), Progress.bytes(st.rssBytes()));
    }

    // ---- down ----

    public record Stopped(String name, long pid, String how) {
    }

    public List<Stopped> down() throws IOException, StackException {
        Optional<StackState> read = StackState.read(settings.stateFile());
        if (read.isEmpty() || read.get().processes().isEmpty()) {
            progress.line("airlock down: nothing to stop in %s", settings.home());
            return List.of();
        }
        Files.createDirectories(settings.home());
        try (FileChannel ch = FileChannel.open(settings.home().resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockOrNull(ch)) {
            StackState state = StackState.read(settings.stateFile()).orElse(read.get());
            List<Stopped> out = new ArrayList<>();
            Instant t0 = clock.instant();
            // Services first, then brokers and databases (which the services need to shut down cleanly); the
            // processes of one stage stop together.
            int maxStage = state.processes().stream().mapToInt(StackState.Proc::stage).max().orElse(0);
            for (int stage = maxStage; stage >= 0; stage--) {
                int st = stage;
                List<StackState.Proc> procs = new ArrayList<>(state.processes().stream().filter(p -> p.stage() == st).toList());
                java.util.Collections.reverse(procs);
                List<CompletableFuture<Stopped>> stops = new ArrayList<>();
                ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, procs.size()));
                for (StackState.Proc p : procs) {
                    stops.add(CompletableFuture.supplyAsync(() -> {
                        Instant t = clock.instant();
                        Optional<ProcessHandle> h = Processes.live(p);
                        String how = h.isEmpty() ? "was not running" : Processes.stop(h.get(), grace(p.name()));
                        progress.step(p.name(), h.isEmpty() ? "gone" : "stopped", Duration.between(t, clock.instant()),
                                "pid " + p.pid() + " " + how);
                        return new Stopped(p.name(), p.pid(), how);
                    }, pool));
                }
                pool.shutdown();
                for (CompletableFuture<Stopped> f : stops) {
                    Stopped s = f.join();
                    out.add(s);
                    state = state.without(s.name());
                }
                state.write(settings.stateFile());
            }
            Files.deleteIfExists(settings.stateFile());
            progress.line("airlock down: stopped in %s; data kept in %s (the next up reuses it)",
                    Progress.seconds(Duration.between(t0, clock.instant())), settings.data());
            return out;
        }
    }

    /** The lock, or null when this JVM already holds it (Ctrl-C during a foreground up stops what it started). */
    private static FileLock lockOrNull(FileChannel ch) throws IOException {
        try {
            return ch.lock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private static Duration grace(String name) {
        return name.startsWith("kafka-") ? Duration.ofSeconds(40) : Duration.ofSeconds(20);
    }

    Processes.Memory totalMemory(StackState state) {
        Processes.Memory sum = new Processes.Memory(0, 0);
        for (StackState.Proc p : state.processes()) {
            sum = sum.plus(Processes.live(p).map(Processes::memory).orElse(new Processes.Memory(0, 0)));
        }
        return sum;
    }

    static String abbreviate(String digest) {
        return digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
    }

    /** {@code --foreground}: stay attached until Ctrl-C (then stop everything) or until every process is gone. */
    public void attach() throws InterruptedException {
        Thread hook = new Thread(() -> {
            progress.line("airlock up: stopping the stack (Ctrl-C)");
            try {
                down();
            } catch (IOException | StackException e) {
                progress.line("airlock down: %s", e.getMessage());
            }
        }, "airlock-down");
        Runtime.getRuntime().addShutdownHook(hook);
        progress.line("airlock up: attached (--foreground); Ctrl-C stops the stack");
        java.util.Set<String> reported = new java.util.HashSet<>();
        while (true) {
            Optional<StackState> s;
            try {
                s = StackState.read(settings.stateFile());
            } catch (IOException e) {
                s = Optional.empty();
            }
            if (s.isEmpty() || s.get().processes().isEmpty()) {
                progress.line("airlock up: the stack was stopped elsewhere; detaching");
                Runtime.getRuntime().removeShutdownHook(hook);
                return;
            }
            for (StackState.Proc p : s.get().processes()) {
                if (Processes.live(p).isEmpty() && reported.add(p.name() + p.pid())) {
                    progress.line("airlock up: %s (pid %d) is no longer running; see %s", p.name(), p.pid(), p.log());
                }
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }
}
