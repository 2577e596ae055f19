package dev.airlock.runner.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.io.ReplacedFile;
import dev.airlock.core.json.StrictJson;
import dev.airlock.runner.config.RunnerConfig;
import dev.airlock.runner.domain.Evidence;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The runner's health without a port (ARCHITECTURE §1 invariant 2): a JSON status file and a Prometheus text file for
 * node-exporter's textfile collector, each replaced atomically ({@link ReplacedFile}: not fsynced; fsyncing both with
 * their directories had cost 16 of the runner's 37 fsyncs per capsule, serialised across its lanes). Both are optional.
 *
 * <p>Lifecycle changes ({@link #state}, {@link #networkIsolated}) are written before the call returns. Per-capsule
 * changes (started, finished, spool size) are written at most {@link #COALESCE_MILLIS} later, together: a capsule made
 * four writes of both files, 2 ms of the runner's CPU per capsule under load, for a file a collector reads every 15 s
 * or so. Each write takes the state as it is then, so the last change is never lost.
 */
@Singleton
public class StatusReporter {

    private static final Logger LOG = Logger.getLogger(StatusReporter.class);
    /** The longest a per-capsule change waits before both files show it. */
    public static final long COALESCE_MILLIS = 1000;
    private static final List<String> OUTCOMES = List.of(Evidence.APPLIED, Evidence.ROLLED_BACK, Evidence.OBSERVED,
            Evidence.REJECTED, Evidence.ROLLBACK_FAILED, Evidence.INTERRUPTED);

    /** Lifecycle of the process. */
    public enum State {
        STARTING, RECOVERING, READY, STOPPING, FAILED
    }

    /** {@code status-file} content, schema {@code airlock.runner-status/v1}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"schema", "runner", "environment", "state", "pid", "startedAt", "updatedAt",
            "networkIsolated", "running", "runs", "lastRun", "spooled", "problem"})
    public record Status(String schema, String runner, String environment, State state, long pid, Instant startedAt,
                         Instant updatedAt, Boolean networkIsolated, List<Running> running, Map<String, Long> runs,
                         LastRun lastRun, int spooled, String problem) {
    }

    @RegisterForReflection
    public record Running(String capsuleId, String repository, Instant since) {
    }

    @RegisterForReflection
    public record LastRun(String capsuleId, String outcome, Instant finishedAt) {
    }

    private final RunnerConfig config;
    private final Clock clock;
    private final Instant startedAt;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Long> runs = new LinkedHashMap<>();
    private volatile State state = State.STARTING;
    private volatile Boolean networkIsolated;
    private volatile LastRun lastRun;
    private volatile IntSupplier spoolCount = () -> 0;
    private volatile String problem;
    private final AtomicBoolean writePending = new AtomicBoolean();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runner-status");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public StatusReporter(RunnerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.startedAt = clock.instant();
        OUTCOMES.forEach(o -> runs.put(o, 0L));
    }

    public void state(State next, String why) {
        state = next;
        if (why != null) {
            problem = why;
        }
        write();
    }

    public State state() {
        return state;
    }

    public void networkIsolated(boolean isolated) {
        networkIsolated = isolated;
        write();
    }

    public void started(String capsuleId, String repository) {
        running.put(capsuleId, new Running(capsuleId, repository, clock.instant()));
        writeSoon();
    }

    public void finished(String capsuleId, String outcome) {
        running.remove(capsuleId);
        synchronized (runs) {
            runs.merge(outcome, 1L, Long::sum);
        }
        lastRun = new LastRun(capsuleId, outcome, clock.instant());
        writeSoon();
    }

    public void abandoned(String capsuleId) {
        running.remove(capsuleId);
        writeSoon();
    }

    /** How the spool size is counted (a directory listing): once per write, not once per change. */
    public void countSpoolWith(IntSupplier counter) {
        spoolCount = counter;
    }

    /** The evidence spool gained or lost a bundle. */
    public void spoolChanged() {
        writeSoon();
    }

    /** Writes anything pending now and stops the writer thread (the runner is stopping). */
    @PreDestroy
    void close() {
        writer.shutdownNow();
        if (writePending.getAndSet(false)) {
            write();
        }
    }

    private void writeSoon() {
        if (writePending.compareAndSet(false, true)) {
            try {
                writer.schedule(() -> {
                    writePending.set(false); // before the write: a change from now on schedules the next one
                    write();
                }, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) { // closed
                writePending.set(false);
                write();
            }
        }
    }

    private synchronized void write() {
        Optional<Path> statusFile = config.statusFile();
        Optional<Path> metricsFile = config.metricsFile();
        if (statusFile.isEmpty() && metricsFile.isEmpty()) {
            return;
        }
        Map<String, Long> counts;
        synchronized (runs) {
            counts = new LinkedHashMap<>(runs);
        }
        List<Running> now = new ArrayList<>(running.values());
        try {
            int spooled = spoolCount.getAsInt();
            if (statusFile.isPresent()) {
                Status s = new Status("airlock.runner-status/v1", config.id(), config.environment(), state,
                        ProcessHandle.current().pid(), startedAt, clock.instant(), networkIsolated, now, counts,
                        lastRun, spooled, problem);
                ReplacedFile.replace(statusFile.get(), StrictJson.writePretty(s));
            }
            if (metricsFile.isPresent()) {
                ReplacedFile.replace(metricsFile.get(), metrics(counts, now.size(), spooled)
                        .getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Cannot write the status or metrics file: %s", e.toString());
        }
    }

    private String metrics(Map<String, Long> counts, int runningNow, int spooled) {
        String runner = "runner=\"" + config.id() + "\"";
        StringBuilder m = new StringBuilder();
        m.append("# HELP airlock_runner_up 1 while the runner takes admissions (recovered and ready).\n")
                .append("# TYPE airlock_runner_up gauge\n")
                .append("airlock_runner_up{").append(runner).append("} ").append(state == State.READY ? 1 : 0)
                .append('\n');
        m.append("# HELP airlock_runner_runs_total Capsule runs finished since the runner started, by outcome.\n")
                .append("# TYPE airlock_runner_runs_total counter\n");
        counts.forEach((outcome, n) -> m.append("airlock_runner_runs_total{").append(runner).append(",outcome=\"")
                .append(outcome).append("\"} ").append(n).append('\n'));
        m.append("# HELP airlock_runner_last_run_timestamp_seconds When the last run finished (Unix time).\n")
                .append("# TYPE airlock_runner_last_run_timestamp_seconds gauge\n")
                .append("airlock_runner_last_run_timestamp_seconds{").append(runner).append("} ")
                .append(lastRun == null ? 0 : lastRun.finishedAt().getEpochSecond()).append('\n');
        m.append("# HELP airlock_runner_running Capsules being executed now.\n")
                .append("# TYPE airlock_runner_running gauge\n")
                .append("airlock_runner_running{").append(runner).append("} ").append(runningNow).append('\n');
        m.append("# HELP airlock_runner_spool_bundles Evidence bundles waiting for the broker's acknowledgement.\n")
                .append("# TYPE airlock_runner_spool_bundles gauge\n")
                .append("airlock_runner_spool_bundles{").append(runner).append("} ").append(spooled).append('\n');
        return m.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "StatusReporter[%s]", state);
    }
}
