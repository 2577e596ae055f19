package dev.airlock.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.patch.DiffWriter;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.deploy.stack.HealthCheck;
import dev.airlock.deploy.stack.KafkaSetup;
import dev.airlock.deploy.stack.Processes;
import dev.airlock.deploy.stack.Progress;
import dev.airlock.deploy.stack.Site;
import dev.airlock.deploy.stack.Stack;
import dev.airlock.deploy.stack.StackPlan;
import dev.airlock.deploy.stack.StackSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code airlock bench}: an end-to-end load run against the running stack. N capsules (tier T1, one approval each,
 * every one creating its own file under {@code services/payments/bench/} so none depends on another) are proposed on
 * {@code airlock.proposals.v1} as an external agent would; once the approval service has queued them all, alice's
 * approvals are posted at the offered rate, and each capsule's latency runs from its approval being posted until its
 * evidence was logged (its sanitized projection appears on {@code airlock.evidence.sanitized.v1}, published after the
 * log commit) minus the time its validation took inside the runner (from the logged bundle). The reference is the
 * gateway's verification engine on the same signed capsules in this JVM, in the same run.
 */
public final class E2eBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final long RSS_BUDGET_BYTES = 3L * 1024 * 1024 * 1024;
    /** Capsules sent through first and not measured. */
    static final int WARMUP = 16;
    /** How many capsules the approval service's queue lists at most (QueueService). */
    private static final int QUEUE_PAGE = 500;
    /** How often the memory sampler also reads proportional set sizes (it reads resident sets every second). */
    private static final int PSS_EVERY_SECONDS = 10;

    private final Stack stack;
    private final StackSettings settings;
    private final Progress progress;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public E2eBench(Stack stack, Progress progress, Clock clock) {
        this.stack = stack;
        this.settings = stack.settings();
        this.progress = progress;
        this.clock = clock;
    }

    record Item(String capsuleId, Envelope capsule, byte[] signedForReference) {
    }

    public Map<String, Object> run(int n, double rate) throws Exception {
        Stack.Status status = stack.status();
        for (int i = 0; i < 3 && status.running() && !status.healthy(); i++) {
            TimeUnit.SECONDS.sleep(2); // a probe may time out on a busy machine: look again before giving up
            status = stack.status();
        }
        if (!status.running() || !status.healthy()) {
            throw new IllegalStateException("airlock bench needs a running, healthy stack (./airlock up); not healthy: "
                    + status.processes().stream().filter(p -> !p.healthy()).map(p -> p.name() + " (" + p.health() + ")")
                    .toList());
        }
        Site site = Site.ensure(settings.site(), clock).site();
        String approval = "http://127.0.0.1:" + settings.ports().approval();
        String evidence = "http://127.0.0.1:" + settings.ports().evidence();
        progress.line("airlock bench: %d capsules end to end at %.1f approvals/s against the stack in %s", n, rate,
                settings.home());

        // 1. capsules, signed by the fleet (an external agent's proposal), one new file each
        Instant t = clock.instant();
        SigningKey fleet = site.signingKey(Site.FLEET);
        SigningKey alice = site.signingKey(Site.ALICE);
        // the bench's own workspaces (runner: airlock.runner.workspaces."bench-<i>"), fresh for every run; the runner
        // works one capsule at a time per workspace, so the load is spread over all of them
        int lanes = StackPlan.BENCH_WORKSPACES;
        List<String> revisions = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            revisions.add(benchWorkspace(settings.home().resolve("bench/workspace-" + i)));
        }
        List<Item> all = new ArrayList<>();
        int warmup = Math.min(WARMUP, n);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < n + warmup; i++) {
            String id = UUID.randomUUID().toString();
            int lane = i % lanes;
            String file = "services/payments/bench/" + id + ".txt";
            byte[] content = ("airlock bench " + id + "\n").getBytes(StandardCharsets.UTF_8);
            String patch = DiffWriter.unifiedDiff(RepoPath.of(file), null, content, 3);
            Capsule c = new Capsule(Capsule.SCHEMA, id, "bench:" + id, 1, now, now.plus(Duration.ofHours(6)),
                    Site.ENVIRONMENT, "apply", "T1", site.policy().version(), Site.FLEET,
                    new Capsule.Finding("manual", null, "bench-" + id, null, null, null,
                            new Capsule.Reachability(true, List.of("bench")), null),
                    new Capsule.Target(StackPlan.BENCH_REPOSITORY + "-" + lane, revisions.get(lane)),
                    new Capsule.Manifest(List.of(new Capsule.FileChange(file, null, Hex.digest(content)))),
                    new Capsule.Change("unified-diff", patch),
                    List.of(new Capsule.ValidationStep("validate", List.of("sh", "validate.sh", file), 60)),
                    new Capsule.Rollback("restore-before-state"));
            Envelope env = Dsse.sign(PayloadTypes.CAPSULE, StrictJson.write(c), fleet);
            Envelope a = approval(env, id, alice, now);
            all.add(new Item(id, env, SignedCapsule.of(env, List.of(a)).toJson()));
        }
        List<Item> warm = all.subList(0, warmup);
        List<Item> items = all.subList(warmup, all.size());
        progress.step("capsules", "ok", Duration.between(t, clock.instant()), String.format(Locale.ROOT,
                "%d + %d warm-up T1 capsules signed by %s over %d workspaces (bench-0..%d), each creating "
                        + "services/payments/bench/<id>.txt, validation 'sh validate.sh <its file>'", n, warmup, Site.FLEET, lanes,
                lanes - 1));

        // warm-up: the same path, not measured (first-use costs of every JVM on the way)
        if (warmup > 0) {
            t = clock.instant();
            Map<String, Long> ignoredA = new ConcurrentHashMap<>();
            Map<String, Long> ignoredL = new ConcurrentHashMap<>();
            AtomicBoolean stopWarm = new AtomicBoolean();
            Thread w = watchEvidence(new HashSet<>(warm.stream().map(Item::capsuleId).toList()), ignoredL, stopWarm);
            propose(warm);
            awaitQueued(approval, site, warm);
            approveAll(warm, approval, site, alice, Math.min(rate, 5), ignoredA);
            Instant until = clock.instant().plus(Duration.ofSeconds(120));
            while (ignoredL.size() < warm.size() && clock.instant().isBefore(until)) {
                TimeUnit.MILLISECONDS.sleep(200); // polling the watcher's progress
            }
            stopWarm.set(true);
            w.join(10_000);
            progress.step("warm-up", ignoredL.size() == warm.size() ? "ok" : "PARTIAL", Duration.between(t, clock.instant()),
                    ignoredL.size() + " of " + warm.size() + " warm-up capsules through (not measured)");
        }

        // 2. the reference: the gateway's engine on the same signed capsules, in this JVM, now
        t = clock.instant();
        double engineRate = engineRate(items, site);
        progress.step("engine", "ok", Duration.between(t, clock.instant()), String.format(Locale.ROOT,
                "VerificationEngine.verify: %.0f signed capsules/s (same capsules, in-process, the reference)", engineRate));

        // 3. propose all, wait until queued
        t = clock.instant();
        propose(items);
        awaitQueued(approval, site, items);
        progress.step("proposed", "ok", Duration.between(t, clock.instant()), n + " proposals on "
                + Topics.PROPOSALS + ", all queued by the approval service (pending, 0 of 1)");

        // 4. watch the evidence projection, sample memory, post approvals at the offered rate
        Map<String, Long> approvedAtNanos = new ConcurrentHashMap<>();
        Map<String, Long> loggedAtNanos = new ConcurrentHashMap<>();
        Map<String, Long> admittedAtNanos = new ConcurrentHashMap<>();
        Set<String> ids = new HashSet<>(items.stream().map(Item::capsuleId).toList());
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = watchEvidence(ids, loggedAtNanos, stop);
        Thread admissions = watch(Topics.ADMISSIONS, ids, admittedAtNanos, stop);
        long epochNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        AtomicLong peakRss = new AtomicLong();
        AtomicLong peakPss = new AtomicLong();
        // Sampled from /proc only (a health probe of every process every 2 s would load the stack being measured):
        // resident sets every second (/proc/PID/status), proportional sets every 10th second and at the end. Reading
        // smaps_rollup makes the kernel walk every mapping of every process, 40-90 ms of CPU per sample of the whole
        // stack here, against a few ms for status. PSS moves slowly, and RSS, sampled finer, bounds it.
        Map<String, ProcessHandle> processes = stack.liveProcesses();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        AtomicLong ticks = new AtomicLong();
        sampler.scheduleAtFixedRate(() -> {
            try {
                boolean pss = ticks.getAndIncrement() % PSS_EVERY_SECONDS == 0;
                Processes.Memory m = stackMemory(processes.values(), pss);
                peakRss.accumulateAndGet(m.rss(), Math::max);
                if (pss) {
                    peakPss.accumulateAndGet(m.pss(), Math::max);
                }
            } catch (RuntimeException e) {
                // the next sample
            }
        }, 0, 1, TimeUnit.SECONDS);
        Map<String, Double> cpuBefore = cpuByProcess(processes);
        long[] machineBefore = machineCpuMillis();
        Instant approvalsBegin = clock.instant();
        long start = System.nanoTime();
        Map<String, Integer> statuses = approveAll(items, approval, site, alice, rate, approvedAtNanos);
        double offered = items.size() / ((System.nanoTime() - start) / 1e9);
        progress.step("approved", "ok", Duration.between(approvalsBegin, clock.instant()), String.format(Locale.ROOT,
                "%d approvals posted at %.1f/s: %s", items.size(), offered, statuses));

        // 5. until every capsule's evidence is logged
        t = clock.instant();
        Instant deadline = clock.instant().plus(Duration.ofSeconds(Math.max(180, n * 2L)));
        while (loggedAtNanos.size() < n && clock.instant().isBefore(deadline)) {
            TimeUnit.MILLISECONDS.sleep(200); // polling the watcher's progress
        }
        Map<String, Double> cpuAfter = cpuByProcess(processes);
        long[] machineAfter = machineCpuMillis();
        long windowNanos = System.nanoTime() - start;
        stop.set(true);
        watcher.join(10_000);
        admissions.join(10_000);
        sampler.shutdownNow();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
        // and a last full sample at the end of the window, where a stack that creeps is at its largest
        Processes.Memory atEnd = stackMemory(processes.values(), true);
        peakRss.accumulateAndGet(atEnd.rss(), Math::max);
        peakPss.accumulateAndGet(atEnd.pss(), Math::max);
        progress.step("logged", loggedAtNanos.size() == n ? "ok" : "PARTIAL", Duration.between(t, clock.instant()),
                loggedAtNanos.size() + " of " + n + " capsules' evidence logged");

        // 6. validation time per capsule, from the logged bundles; latency without it
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<Double> latencies = new ArrayList<>();
        List<Double> withValidation = new ArrayList<>();
        List<Double> validationMs = new ArrayList<>();
        List<Double> toAdmission = new ArrayList<>();
        List<Double> runnerQueue = new ArrayList<>();
        List<Double> runnerRun = new ArrayList<>();
        List<Double> toLogged = new ArrayList<>();
        for (Item it : items) {
            Long a = approvedAtNanos.get(it.capsuleId());
            Long l = loggedAtNanos.get(it.capsuleId());
            if (a == null || l == null) {
                outcomes.merge("MISSING", 1, Integer::sum);
                continue;
            }
            EvidencePredicate p = bundle(evidence, it.capsuleId(), site);
            outcomes.merge(p.outcome(), 1, Integer::sum);
            // where the time went: control plane + diode + gateway, waiting for a runner lane, the run, the log
            Long adm = admittedAtNanos.get(it.capsuleId());
            double startedMs = (p.startedAt().toEpochMilli() * 1_000_000L - epochNanos) / 1e6;
            double finishedMs = (p.finishedAt().toEpochMilli() * 1_000_000L - epochNanos) / 1e6;
            if (adm != null) {
                toAdmission.add((adm - a) / 1e6);
                runnerQueue.add(Math.max(0, startedMs - adm / 1e6));
            }
            runnerRun.add(finishedMs - startedMs);
            toLogged.add(Math.max(0, l / 1e6 - finishedMs));
            long v = p.validation().stream().mapToLong(EvidencePredicate.ValidationResult::durationMs).sum();
            double total = (l - a) / 1e6;
            withValidation.add(total);
            validationMs.add((double) v);
            latencies.add(Math.max(0, total - v));
        }
        long first = approvedAtNanos.values().stream().mapToLong(Long::longValue).min().orElse(0);
        long last = loggedAtNanos.values().stream().mapToLong(Long::longValue).max().orElse(0);
        double throughput = latencies.isEmpty() ? 0 : latencies.size() / ((last - first) / 1e9);
        double p50 = percentile(latencies, 50);
        double p99 = percentile(latencies, 99);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", "e2e");
        r.put("metric", "end-to-end throughput, approval to logged evidence");
        r.put("unit", "capsules/s");
        r.put("value", round(throughput));
        boolean c1Only = ManagementFactory.getRuntimeMXBean().getInputArguments()
                .contains("-XX:TieredStopAtLevel=1");
        r.put("reference", "gateway VerificationEngine.verify on the same signed capsules, in-process ("
                + (c1Only ? "C1 only, as the gateway runs" : "full JIT") + "), same run");
        r.put("referenceValue", round(engineRate));
        r.put("ratio", round(throughput / engineRate));
        r.put("p50Ms", round(p50));
        r.put("p99Ms", round(p99));
        r.put("throughputPerSec", round(throughput));
        r.put("latencyExcludes", "validation time inside the runner (sum of the bundle's validation durationMs)");
        r.put("p50MsWithValidation", round(percentile(withValidation, 50)));
        r.put("p99MsWithValidation", round(percentile(withValidation, 99)));
        r.put("validationMsP50", round(percentile(validationMs, 50)));
        Map<String, Object> stages = new LinkedHashMap<>();
        stages.put("approvalToAdmissionMs", stage(toAdmission, "approval service, outbox relay, diode (UDP), receiver, gateway"));
        stages.put("waitForRunnerMs", stage(runnerQueue, "admission on its topic until the runner starts it (lane queue)"));
        stages.put("runnerRunMs", stage(runnerRun, "apply, validation in a network namespace, rollback rehearsal, signing"));
        stages.put("runToLoggedMs", stage(toLogged, "evidence to the broker, verified, appended to the log, projected"));
        r.put("stages", stages);
        Map<String, Object> cpu = cpuReport(cpuBefore, cpuAfter, Math.max(1, loggedAtNanos.size()), windowNanos);
        if (machineBefore.length == 2 && machineAfter.length == 2) {
            cpu.put("machineCoresBusy", round((machineAfter[0] - machineBefore[0]) / (windowNanos / 1e6)));
            cpu.put("machineStealCores", round((machineAfter[1] - machineBefore[1]) / (windowNanos / 1e6)));
            cpu.put("machineWhat", "every task on the machine over the same window, from /proc/stat (user, nice, "
                    + "system, irq, softirq): the stack, this JVM, kernel workers (e.g. tearing down the validations' "
                    + "network namespaces) and anything else running; steal is time the hypervisor gave elsewhere");
        }
        r.put("cpu", cpu);
        r.put("offeredPerSec", round(offered));
        r.put("outcomes", outcomes);
        // the whole stack's resident memory counts each page once (PSS summed over every process, PostgreSQL's
        // backends included); summing per-process RSS counts shared buffers once per backend, an upper bound
        r.put("stackPeakMemoryBytes", peakPss.get());
        r.put("stackPeakRssSumBytes", peakRss.get());
        r.put("memoryWhat", "peaks over samples (RSS every second, PSS every " + PSS_EVERY_SECONDS + " s): "
                + "stackPeakMemoryBytes sums PSS (each resident page once) over "
                + "every stack process and its children, PostgreSQL included; stackPeakRssSumBytes sums resident sets "
                + "(shared pages once per process that maps them)");
        r.put("stackRssBudgetBytes", RSS_BUDGET_BYTES);
        r.put("targets", Map.of("p99MsBelow", 1000, "atCapsulesPerSec", 20, "stackRssBelowBytes", RSS_BUDGET_BYTES));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("capsules", n);
        params.put("rate", rate);
        params.put("tier", "T1 (one approval: alice, service-owner)");
        params.put("validation",
                "sh validate.sh services/payments/bench/<id>.txt (checks the capsule's own file: the same cost for every capsule)");
        params.put("processes", status.processes().size());
        params.put("workspaces", lanes);
        params.put("warmupCapsules", warmup);
        r.put("params", params);
        r.put("machine", machine());
        r.put("date", StrictJson.formatInstant(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
        Path out = settings.root().resolve("bench/results/e2e.json");
        Files.createDirectories(out.getParent());
        Files.write(out, (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
        progress.line("airlock bench: %.1f capsules/s end to end (engine reference %.0f/s, ratio %.4f); latency without "
                        + "validation p50 %.0f ms, p99 %.0f ms; peak stack memory %s (PSS; %s summing RSS); outcomes %s -> %s",
                throughput, engineRate, throughput / engineRate, p50, p99, Progress.bytes(peakPss.get()),
                Progress.bytes(peakRss.get()), outcomes,
                settings.root().relativize(out));
        progress.line("airlock bench: CPU %s ms per capsule, %s cores busy on average (%s on the whole machine); by "
                        + "process (ms per capsule): %s", cpu.get("msPerCapsule"), cpu.get("coresBusy"),
                cpu.getOrDefault("machineCoresBusy", "?"), cpu.get("msPerCapsuleByProcess"));
        return r;
    }

    /** CPU ms so far of every stack process (with its children, live and reaped) and of this client JVM. */
    private static Map<String, Double> cpuByProcess(Map<String, ProcessHandle> processes) {
        Map<String, Double> m = new LinkedHashMap<>();
        Processes.ProcTable table = Processes.ProcTable.read();
        processes.forEach((name, h) -> {
            if (h.isAlive()) { // a process that died in the window drops out of the report
                m.put(name, Processes.cpuMillis(h, table));
            }
        });
        m.put("bench-client", Processes.ownCpuMillis(ProcessHandle.current()));
        return m;
    }

    /**
     * Busy and stolen CPU time of the whole machine so far in ms, from the first line of {@code /proc/stat}; empty where
     * there is none.
     */
    static long[] machineCpuMillis() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = line.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return new long[] {busy * 10, Long.parseLong(f[8]) * 10}; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /**
     * Where the CPU of the measured window (first approval posted until the last evidence logged) went: ms per
     * capsule by process, largest first, and how many cores the stack kept busy on average.
     */
    static Map<String, Object> cpuReport(Map<String, Double> before, Map<String, Double> after, int capsules,
                                         long windowNanos) {
        Map<String, Double> perCapsule = new LinkedHashMap<>();
        double total = 0;
        List<Map.Entry<String, Double>> deltas = new ArrayList<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            Double b = before.get(e.getKey());
            if (b != null) { // a process that restarted in the window is left out rather than counted from zero
                deltas.add(Map.entry(e.getKey(), e.getValue() - b));
            }
        }
        deltas.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : deltas) {
            perCapsule.put(e.getKey(), round(e.getValue() / capsules));
            total += e.getValue();
        }
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("msPerCapsule", round(total / capsules));
        cpu.put("msPerCapsuleByProcess", perCapsule);
        cpu.put("coresBusy", round(total / (windowNanos / 1e6)));
        cpu.put("cores", Runtime.getRuntime().availableProcessors());
        cpu.put("what", "user + system time from /proc over the measured window, each process with its children "
                + "(validation runs, PostgreSQL backends); bench-client is this JVM (approvals, watchers)");
        return cpu;
    }

    private void propose(List<Item> items) throws Exception {
        try (KafkaProducer<String, byte[]> p = KafkaSetup.producer(settings.ports().controlBootstrap())) {
            List<Future<?>> acks = new ArrayList<>();
            for (Item it : items) {
                Map<String, Object> proposal = new LinkedHashMap<>();
                proposal.put("schema", "airlock.proposal/v1");
                proposal.put("capsule", JSON.readTree(it.capsule().toJson()));
                proposal.put("tier", "T1");
                proposal.put("reachability", Map.of("reachable", true, "path", List.of("bench")));
                proposal.put("tierReasoning", List.of("airlock bench: load run"));
                proposal.put("summary", "airlock bench capsule");
                proposal.put("findingId", "bench-" + it.capsuleId());
                acks.add(KafkaSetup.send(p, Topics.PROPOSALS, it.capsuleId(), JSON.writeValueAsBytes(proposal),
                        "airlock.proposal/v1", "urn:airlock:bench"));
            }
            for (Future<?> f : acks) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Posts alice's approval of each capsule at {@code rate} per second; records when each was sent. */
    private Map<String, Integer> approveAll(List<Item> items, String approval, Site site, SigningKey alice, double rate,
                                            Map<String, Long> approvedAtNanos) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString((Site.ALICE + ":" + site.password(Site.ALICE))
                .getBytes(StandardCharsets.UTF_8));
        ExecutorService posters = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        long interval = (long) (1e9 / rate);
        List<Future<String>> posted = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the offered load
            }
            Item it = items.get(i);
            Instant decided = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            posted.add(posters.submit(() -> {
                byte[] body = approval(it.capsule(), it.capsuleId(), alice, decided).toJson();
                approvedAtNanos.put(it.capsuleId(), System.nanoTime());
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(approval + "/api/capsules/"
                                + it.capsuleId() + "/decisions")).header("Authorization", auth)
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                return JSON.readTree(r.body()).path("status").asText("HTTP " + r.statusCode());
            }));
        }
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (Future<String> f : posted) {
            statuses.merge(f.get(120, TimeUnit.SECONDS), 1, Integer::sum);
        }
        posters.shutdown();
        return statuses;
    }

    private static Envelope approval(Envelope capsule, String id, SigningKey key, Instant at) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), id, Site.ALICE, "service-owner",
                Approval.APPROVE, null, at, Approval.REVIEW);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    /** Verifications per second of the engine over the bench's own signed capsules (warmed up first). */
    private double engineRate(List<Item> items, Site site) {
        VerificationEngine engine = new VerificationEngine(clock);
        for (int i = 0; i < Math.min(items.size(), 200); i++) {
            Verdict v = engine.verify(items.get(i).signedForReference(), Site.ENVIRONMENT, site.policy(), new InMemoryLedger());
            if (!v.isAdmitted()) {
                throw new IllegalStateException("a bench capsule would not be admitted: " + v.reason() + ": " + v.detail());
            }
        }
        int rounds = 0;
        long begin = System.nanoTime();
        while (System.nanoTime() - begin < 3_000_000_000L) {
            for (Item it : items) {
                engine.verify(it.signedForReference(), Site.ENVIRONMENT, site.policy(), new InMemoryLedger());
                rounds++;
            }
        }
        return rounds / ((System.nanoTime() - begin) / 1e9);
    }

    private void awaitQueued(String approval, Site site, List<Item> items) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString((Site.ALICE + ":" + site.password(Site.ALICE))
                .getBytes(StandardCharsets.UTF_8));
        Set<String> want = new HashSet<>(items.stream().map(Item::capsuleId).toList());
        Instant deadline = clock.instant().plus(Duration.ofSeconds(Math.max(120, items.size())));
        while (true) {
            // A bench capsule stays pending until this bench approves it, so one seen pending is done with.
            JsonNode q = JSON.readTree(get(approval + "/api/queue?status=pending", auth).body());
            for (JsonNode c : q.path("capsules")) {
                want.remove(c.path("capsuleId").asText());
            }
            if (!want.isEmpty() && q.path("capsules").size() >= QUEUE_PAGE) {
                // The queue lists the newest 500 only: the older ones are asked for one by one.
                for (Iterator<String> it = want.iterator(); it.hasNext(); ) {
                    HttpResponse<String> r = get(approval + "/api/capsules/" + it.next(), auth);
                    if (r.statusCode() == 200
                            && JSON.readTree(r.body()).path("summary").path("status").asText().equalsIgnoreCase("pending")) {
                        it.remove();
                    }
                }
            }
            if (want.isEmpty()) {
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new IllegalStateException(want.size() + " bench proposals were not queued by the approval service "
                        + "(see GET /api/audit)");
            }
            TimeUnit.MILLISECONDS.sleep(500); // polling the approval service
        }
    }

    private HttpResponse<String> get(String url, String auth) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The stack's memory: resident sets, and proportional set sizes when {@code pss} (0 otherwise). */
    private static Processes.Memory stackMemory(Collection<ProcessHandle> processes, boolean pss) {
        Processes.Memory total = new Processes.Memory(0, 0);
        Processes.ProcTable table = Processes.ProcTable.read(); // one pass over /proc for the whole stack
        for (ProcessHandle h : processes) {
            total = total.plus(Processes.memory(h, pss, table));
        }
        return total;
    }

    /** Records when each capsule's sanitized evidence projection appears (the log commit happened just before). */
    private Thread watchEvidence(Set<String> ids, Map<String, Long> loggedAt, AtomicBoolean stop) {
        return watch(Topics.EVIDENCE_SANITIZED, ids, loggedAt, stop);
    }

    /** Records when each capsule first appears on an enclave topic (keyed by capsule id, else found in the payload). */
    private Thread watch(String topic, Set<String> ids, Map<String, Long> seenAt, AtomicBoolean stop) {
        Properties p = HealthCheck.kafkaClient(settings.ports().enclaveBootstrap());
        p.remove("default.api.timeout.ms");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // The broker answers a fetch as soon as a record arrives (fetch.min.bytes 1), so the wait bounds only the
        // empty fetches: 500 ms (Kafka's default) costs no precision, where 20 ms had the watchers and the enclave
        // broker exchange 100 empty fetches a second, CPU the measured stack lacked.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(tps);
        c.seekToEnd(tps);
        tps.forEach(c::position);
        Thread th = new Thread(() -> {
            try (c) {
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        long at = System.nanoTime();
                        String id = r.key();
                        if (id == null || !ids.contains(id)) {
                            id = capsuleIdOf(r.value());
                        }
                        if (id != null && ids.contains(id)) {
                            seenAt.putIfAbsent(id, at);
                        }
                    }
                }
            }
        }, "bench-watch-" + topic);
        th.setDaemon(true);
        th.start();
        return th;
    }

    private static String capsuleIdOf(byte[] value) {
        try {
            JsonNode env = JSON.readTree(value);
            JsonNode payload = JSON.readTree(Base64.getDecoder().decode(env.path("payload").asText()));
            return payload.path("capsuleId").asText(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private EvidencePredicate bundle(String evidence, String id, Site site) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(evidence + "/api/bundles/" + id))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode j = JSON.readTree(r.body());
        for (JsonNode e : j.isArray() ? j : j.path("entries")) {
            if (e.hasNonNull("entry")) {
                return EvidenceBundles.verify(Base64.getDecoder().decode(e.path("entry").asText()), site.policy())
                        .statement().predicate();
            }
        }
        throw new IllegalStateException("no logged bundle for capsule " + id);
    }

    /**
     * A fresh git repository with the bench's {@code validate.sh} (the file a capsule created names it): the
     * workspace of repository {@code bench}, so bench capsules never touch the demo's sample repository.
     */
    static String benchWorkspace(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir.resolve("services/payments/bench"));
        try (var in = E2eBench.class.getResourceAsStream("/bench/validate.sh")) {
            if (in == null) {
                throw new IOException("resource /bench/validate.sh is missing from the build");
            }
            Files.write(dir.resolve("validate.sh"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("README.md"), "Workspace of airlock bench: one file per capsule under "
                + "services/payments/bench/.\n");
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", "-A");
        git(dir, "-c", "user.name=Airlock bench", "-c", "user.email=bench@airlock.invalid", "commit", "-q", "-m", "bench");
        return git(dir, "rev-parse", "HEAD").strip();
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed in " + dir + ": " + out.strip());
        }
        return out;
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length); // nearest-rank
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    private static double round(double d) {
        return Double.isFinite(d) ? Math.round(d * 1000) / 1000.0 : -1;
    }

    private static Map<String, Object> stage(List<Double> values, String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", round(percentile(values, 50)));
        m.put("p99", round(percentile(values, 99)));
        m.put("what", what);
        return m;
    }

    /** Same shape as the other results' {@code machine}, plus the load: the machine is shared. */
    private static String machine() {
        long memKiB = 0;
        String load = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKiB = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "%d cores, %d MiB RAM, %s %s, Java %s, load average %s at the end (shared "
                        + "machine)", Runtime.getRuntime().availableProcessors(), memKiB / 1024, System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), load);
    }

}
