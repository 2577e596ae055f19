package dev.airlock.runner.domain;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.scope.Workspace;
import dev.airlock.runner.config.RunnerConfig.NetworkIsolation;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs one validation step (ARCHITECTURE §7 step 3): the capsule's argv exactly, working directory = the workspace, a
 * scrubbed environment, stdin from {@code /dev/null}, stdout and stderr captured with a cap and hashed, a timeout after
 * which every process of the run is killed, and no network where {@code unshare -n} works.
 *
 * <p>The environment of a validation process is exactly: {@code PATH} (configured, default
 * {@code /usr/local/bin:/usr/bin:/bin}), {@code HOME} (configured, or a fresh empty directory per step),
 * {@code TMPDIR} (a fresh empty directory per step), {@code LANG=C.UTF-8}, {@code JAVA_HOME} when configured, the
 * operator's {@code validation-environment} entries, and {@code AIRLOCK_RUN_TOKEN} (a random id per step, by which
 * the runner finds the step's processes after a crash). Nothing of the runner's own environment is passed on.
 *
 * <p>Containment: where {@code unshare} can create a PID namespace, the command line actually started is
 * {@code unshare [--user --map-current-user] [--net] --pid --fork --kill-child --mount-proc -- argv…}: the step is
 * process 1 of a PID namespace of its own, the kernel kills every process left in it when that process ends, and the
 * namespace's first process dies with the {@code unshare} the runner started. Nothing of a step can outlive it, not
 * even a process that left its session and cleared its environment ({@code setsid env -i …}), and the step sees only
 * its own processes in {@code /proc}. Elsewhere it is {@code setsid -- [unshare -n --] argv…}: the step leads a session
 * of its own, and after it ends the runner kills what it finds by session and by {@code AIRLOCK_RUN_TOKEN}
 * ({@link ProcessReaper}), which a process that did both can escape.
 */
public final class ValidationRunner {

    private static final Logger LOG = Logger.getLogger(ValidationRunner.class);
    public static final String TOKEN_VARIABLE = "AIRLOCK_RUN_TOKEN";
    private static final long DRAIN_MILLIS = 5_000;

    /** Settings from the runner's configuration. */
    public record Settings(int outputCapBytes, NetworkIsolation isolation, String path, Optional<Path> home,
                           Optional<String> javaHome, Map<String, String> extraEnvironment, Path homes) {
        public Settings {
            if (outputCapBytes < 0) {
                throw new IllegalArgumentException("output-cap-bytes must be ≥ 0");
            }
            Objects.requireNonNull(isolation, "isolation");
            Objects.requireNonNull(path, "path");
            extraEnvironment = Map.copyOf(extraEnvironment);
            Objects.requireNonNull(homes, "homes");
        }
    }

    /** Told when a step's process has started, before anything waits on it (the journal records it). */
    public interface Listener {
        void started(JournalRecord.RunningStep step) throws IOException;
    }

    /** The evidence of one step and whether it passed (exit 0, no timeout). */
    public record Result(EvidencePredicate.ValidationResult evidence, boolean passed) {
    }

    private final Settings settings;
    private final String setsid;
    private final String unshare;
    private final Map<String, JournalRecord.RunningStep> active = new ConcurrentHashMap<>();
    /** What the probe found; null until the first step (or {@link #isolates()}) asks. */
    private volatile Isolation isolation;

    /**
     * How steps are started here: the {@code unshare} prefix (empty for none), whether it gives a network namespace,
     * whether a PID namespace contains the step, and why the better forms did not work.
     */
    record Isolation(List<String> prefix, boolean network, boolean pidNamespace, String detail) {
    }

    public ValidationRunner(Settings settings) throws IOException {
        this.settings = settings;
        DurableFiles.privateDirectory(settings.homes());
        this.setsid = find("setsid");
        this.unshare = find("unshare");
        if (setsid == null) {
            LOG.warn("setsid not found: validation processes share the runner's session; a timeout kills them by "
                    + "their run token only");
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Whether validation steps run in a network namespace of their own (probed once, see {@link #probe()}). */
    public boolean isolates() {
        return isolation().network();
    }

    /**
     * Whether each validation step is contained in a PID namespace of its own (nothing of it can outlive it); else
     * its processes are found by session and run token.
     */
    public boolean containsInPidNamespace() {
        return isolation().pidNamespace();
    }

    private Isolation isolation() {
        Isolation found = isolation;
        if (found == null) {
            synchronized (this) {
                if (isolation == null) {
                    isolation = probe();
                }
                found = isolation;
            }
        }
        return found;
    }

    /** Null when validation may run; otherwise why not ({@code network-isolation=required} and no namespace). */
    public String isolationProblem() {
        if (settings.isolation() == NetworkIsolation.REQUIRED && !isolates()) {
            return "network-isolation=required but no network namespace can be created on this host: "
                    + isolation().detail();
        }
        return null;
    }

    /**
     * Finds the first {@code unshare} form that works here, each tried once with {@code true}: with network
     * isolation ({@code auto} or {@code required}), {@code --user --map-current-user --net --pid --fork --kill-child
     * --mount-proc} (a user namespace of the step's own, which a dedicated non-root runner user has on most
     * distributions; the step keeps its uid), the same without {@code --user} (root, or CAP_SYS_ADMIN, where user
     * namespaces are not allowed), then {@code --user --map-current-user --net} and {@code -n} without a PID namespace
     * (an older util-linux without {@code --kill-child}); with {@code off}, only the PID namespace forms without
     * {@code --net}.
     *
     * <p>The user namespace comes first for a root runner too. Without it a root step keeps the runner's capabilities
     * on the host, and those undo the namespaces: it can unmount the {@code /proc} it was given, find a host process
     * under the host's {@code /proc} and {@code setns} into that process's network namespace (a test does exactly
     * that). In a user namespace of its own the step is still uid 0 for files, but has no capability outside it, so
     * the kernel lets it enter none of the host's namespaces.
     */
    private Isolation probe() {
        if (unshare == null) {
            LOG.warn("unshare not found: validation steps run without network isolation, contained by session and run "
                    + "token only");
            return new Isolation(List.of(), false, false, "unshare not found");
        }
        List<String> pid = List.of("--pid", "--fork", "--kill-child", "--mount-proc");
        List<String> user = List.of("--user", "--map-current-user");
        List<List<String>> forms = new ArrayList<>();
        boolean network = settings.isolation() != NetworkIsolation.OFF;
        for (List<String> u : List.of(user, List.<String>of())) {
            List<String> form = new ArrayList<>(u);
            if (network) {
                form.add("--net");
            }
            form.addAll(pid);
            forms.add(form);
        }
        if (network) {
            forms.add(List.of("--user", "--map-current-user", "--net"));
            forms.add(List.of("-n"));
        }
        List<String> problems = new ArrayList<>();
        for (List<String> form : forms) {
            List<String> command = new ArrayList<>();
            command.add(unshare);
            command.addAll(form);
            command.add("--");
            command.add("true");
            String problem = tryCommand(command);
            if (problem == null) {
                List<String> prefix = List.copyOf(command.subList(0, command.size() - 1));
                boolean pidNamespace = form.contains("--pid");
                LOG.infof("Validation steps start as: %s argv… (%s, %s)", String.join(" ", prefix),
                        network ? "no network" : "network not isolated (network-isolation=off)",
                        pidNamespace ? "contained in a PID namespace" : "no PID namespace: contained by session and "
                                + "run token");
                if (!form.contains("--user") && runsAsRoot()) {
                    LOG.warnf("Validation steps run as root with the runner's capabilities, which can leave the "
                            + "namespaces they start in (no user namespace here: %s). Run the runner as a dedicated "
                            + "user, or allow user namespaces (sysctl user.max_user_namespaces)",
                            String.join("; ", problems));
                }
                return new Isolation(prefix, network, pidNamespace, String.join("; ", problems));
            }
            problems.add("'" + String.join(" ", command.subList(1, command.size())) + "': " + problem);
        }
        String detail = String.join("; ", problems);
        if (network) {
            LOG.warnf("Network isolation for validations is unavailable: %s", detail);
        } else {
            LOG.infof("No PID namespace for validations (%s): contained by session and run token", detail);
        }
        return new Isolation(List.of(), false, false, detail);
    }

    /**
     * Whether this process's effective uid is 0 (from {@code /proc/self/status}; false where it cannot be read). Read
     * when asked, not in a static initializer, which a native image could run at build time.
     */
    static boolean runsAsRoot() {
        return effectiveUid() == 0;
    }

    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]); // real, effective, ...
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("cannot read the effective uid: %s", e.toString());
        }
        return -1;
    }

    /** Null when the command exits 0 within ten seconds, else what happened. */
    private String tryCommand(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", settings.path());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        try {
            Process p = pb.start();
            StreamCapture out = new StreamCapture("unshare-probe", p.getInputStream(), 4096);
            out.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not finish";
            }
            out.join(DRAIN_MILLIS);
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + " " + out.text().trim();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Runs one step to its end, its timeout, or the runner's stop.
     *
     * @throws RunAborted when {@code aborted} turns true (the runner is stopping): the step's processes are killed and
     *                    the caller leaves its journal for recovery
     * @throws IOException when the listener (the journal) cannot record the step
     */
    public Result run(Path workdir, Capsule.ValidationStep step, Listener listener, BooleanSupplier aborted)
            throws IOException {
        String token = UUID.randomUUID().toString();
        Isolation how = isolation();
        boolean isolated = how.network();
        boolean contained = how.pidNamespace();
        Path stepDir = settings.homes().resolve(token);
        Files.createDirectory(stepDir);
        Path tmp = Files.createDirectory(stepDir.resolve("tmp"));
        List<String> command = new ArrayList<>();
        boolean session = !contained && setsid != null;
        if (session) {
            command.add(setsid);
            command.add("--");
        }
        command.addAll(how.prefix());
        command.addAll(step.argv());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment(stepDir, tmp, token));
        long t0 = System.nanoTime();
        try {
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                String why = "cannot start " + step.argv().get(0) + ": " + e.getMessage();
                byte[] whyBytes = why.getBytes(StandardCharsets.UTF_8);
                return new Result(new EvidencePredicate.ValidationResult(step.name(), step.argv(), null, false,
                        elapsed(t0), "", why, Workspace.sha256(new byte[0]), Workspace.sha256(whyBytes), isolated, 0L,
                        (long) whyBytes.length), false);
            }
            long pid = process.pid();
            Long ticks = ProcessReaper.startTicks(pid);
            StreamCapture out = new StreamCapture("validation-stdout-" + pid, process.getInputStream(),
                    settings.outputCapBytes());
            StreamCapture err = new StreamCapture("validation-stderr-" + pid, process.getErrorStream(),
                    settings.outputCapBytes());
            out.start();
            err.start();
            boolean timedOut = false;
            // In a PID namespace, the process started is unshare, which leads no session: it is found by its token,
            // and the namespace dies with it.
            JournalRecord.RunningStep running = new JournalRecord.RunningStep(step.name(), token,
                    session ? pid : null, ticks, ProcessReaper.bootId());
            active.put(token, running);
            try {
                listener.started(running);
                if (!process.waitFor(step.timeoutSeconds(), TimeUnit.SECONDS)) {
                    timedOut = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ProcessReaper.kill(token, running.pid(), ticks);
                throw new RunAborted("interrupted during validation step " + step.name());
            } catch (IOException | RuntimeException e) {
                ProcessReaper.kill(token, running.pid(), ticks);
                throw e;
            }
            // Whether it ended or timed out: nothing of the step may outlive it (background children hold the pipes).
            // A step that ended in its PID namespace left nothing: the kernel killed the namespace's other processes
            // before its first one was reaped, and unshare exits only after that. No scan of /proc then.
            if (timedOut || !contained) {
                ProcessReaper.kill(token, running.pid(), ticks);
            }
            try {
                process.waitFor();
                boolean drained = out.join(DRAIN_MILLIS) & err.join(DRAIN_MILLIS);
                if (!drained) {
                    LOG.warnf("Output of validation step %s still open after its processes were killed", step.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunAborted("interrupted during validation step " + step.name());
            }
            if (aborted.getAsBoolean()) {
                throw new RunAborted("runner stopping during validation step " + step.name());
            }
            Integer exit = timedOut ? null : process.exitValue();
            EvidencePredicate.ValidationResult result = new EvidencePredicate.ValidationResult(step.name(),
                    step.argv(), exit, timedOut, elapsed(t0), out.text(), err.text(), out.sha256(), err.sha256(),
                    isolated, out.total(), err.total());
            return new Result(result, !timedOut && exit == 0);
        } finally {
            active.remove(token);
            DurableFiles.deleteTree(stepDir);
        }
    }

    /** Kills the processes of every step running now (the runner is stopping). */
    public void killAll() {
        for (JournalRecord.RunningStep step : active.values()) {
            ProcessReaper.kill(step.token(), step.pid(), step.startTicks());
        }
    }

    private Map<String, String> environment(Path stepDir, Path tmp, String token) {
        Map<String, String> env = new LinkedHashMap<>(settings.extraEnvironment());
        env.put("PATH", settings.path());
        env.put("HOME", settings.home().map(Path::toString).orElse(stepDir.toString()));
        env.put("TMPDIR", tmp.toString());
        env.putIfAbsent("LANG", "C.UTF-8");
        settings.javaHome().ifPresent(j -> env.put("JAVA_HOME", j));
        env.put(TOKEN_VARIABLE, token);
        return env;
    }

    private static long elapsed(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Absolute path of a tool in the usual system directories (the runner's own PATH is not trusted for this). */
    private static String find(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
