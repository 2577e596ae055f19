package dev.airlock.bench.gateway;

import dev.airlock.bench.CpuAccount;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.AdmissionLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.testsupport.TempDirs;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Gateway admission throughput (issue «Enclave execution»): signed capsules of about 10 KB and 1 MB, each approved by
 * three principals (tier T3: service-owner, security-officer, authorizing-official, with tickets), through a real
 * Kafka broker and a real PostgreSQL into the packaged gateway running as a child process, counted as admissions
 * observed on {@code airlock.admissions.v1}. The reference is the capsule-core engine alone on the same capsules, in
 * the same run, on one thread (the gateway decides one partition on one thread too): admissions/s of
 * {@link VerificationEngine#verify} with an in-memory ledger. Target: gateway ≥ 50 % of the engine.
 * <p>
 * End to end: after a warm-up of both paths on other capsules, the n capsules are produced to
 * {@code airlock.inbound.v1} as fast as the producer goes, and the rate is n / (time the last admission was observed −
 * time the first record was sent). p50/p99 are the times from that start until each admission was observed (a load
 * run, so they include queueing behind earlier capsules). Each size is measured in {@link #WINDOWS} windows, each on
 * new capsules between its own engine passes; the case reports the median window by ratio and records all of them.
 * Writes {@code bench/results/gateway.json} (CONVENTIONS).
 * <p>
 * Run from the repository root after {@code ./mvnw -pl bench -am -DskipTests package}:
 * {@code java -cp "bench/target/bench.jar:bench/target/lib/*" dev.airlock.bench.gateway.GatewayBench [n10k] [n1m]}.
 */
public final class GatewayBench {
    static final TestPki PKI = new TestPki();
    static final Path GATEWAY_JAR = Path.of("gateway-service", "target", "quarkus-app", "quarkus-run.jar");
    static final Path RESULT = Path.of("bench", "results", "gateway.json");
    static final int LARGE = 32 * 1024 * 1024;

    record Size(String label, int targetBytes, int count, int warmup) {
    }

    /** One measured window; the case's result is the median window, with all of them in {@code windows}. */
    record Result(Size size, int actualBytes, double engineRate, List<Double> enginePasses, double gatewayRate,
                  long gatewayMillis, double p50Ms, double p99Ms, Map<String, Double> cpuMs, int warmupRounds,
                  List<Result> windows) {
        double ratio() {
            return gatewayRate / engineRate;
        }

        Result withWindows(List<Result> all) {
            return new Result(size, actualBytes, engineRate, enginePasses, gatewayRate, gatewayMillis, p50Ms, p99Ms,
                    cpuMs, warmupRounds, all);
        }
    }

    public static void main(String[] args) throws Exception {
        // 6,000 10 KB capsules take about 6 s: long enough that PostgreSQL's autovacuum of the outbox (a row inserted
        // and deleted per admission) is spread over the window as in a steady state, rather than landing whole in a
        // 2-3 s window or outside it (2,000 capsules gave PostgreSQL 0.2 or 1.0 ms per capsule from run to run)
        int n10k = args.length > 0 ? Integer.parseInt(args[0]) : 6000;
        int n1m = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        // The gateway is a fresh JVM: a short warm-up measures its JIT compiler threads more than its admissions
        // (a JFR recording of a 200-capsule warm-up showed the C2 threads as the busiest). A long-running gateway is
        // what the target is about, so warm-up rounds (2,000 10 KB capsules, half as many 1 MB capsules as are
        // measured; override: -Dbench.warmup-10k, -Dbench.warmup-1m) repeat until the compilers are quiet (see
        // MAX_JIT_SHARE).
        int w10k = Integer.getInteger("bench.warmup-10k", Math.min(n10k, 2000));
        int w1m = Integer.getInteger("bench.warmup-1m", Math.max(20, n1m / 2));
        List<Size> sizes = List.of(new Size("10KB", 10 * 1024, n10k, w10k), new Size("1MB", 1024 * 1024, n1m, w1m));
        if (!Files.isRegularFile(GATEWAY_JAR)) {
            throw new IllegalStateException(GATEWAY_JAR + " is missing: ./mvnw -pl bench -am -DskipTests package");
        }
        String loadBefore = loadAverage();
        Instant base = Instant.now();
        List<Result> results = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.startEmbedded(BOUNDED_LOG ? BOUNDED_LOG_BROKER : Map.of());
             PostgresServer db = PostgresServer.startEmbedded()) {
            List<String> topics = List.of(Topics.INBOUND, Topics.dlq(Topics.INBOUND), Topics.ADMISSIONS,
                    Topics.EVIDENCE_RAW, Topics.DIODE_HEALTH);
            broker.createTopics(topics);
            configureTopics(broker.bootstrapServers(), topics);
            Path dir = Files.createTempDirectory("airlock-gateway-bench-");
            Policy policy = policy(base);
            byte[] policyBytes = PKI.signPolicy(policy, PKI.root(1), PKI.root(2));
            Files.write(dir.resolve("policy-v1.dsse.json"), policyBytes);
            KeyFiles.write(dir, "gateway.enclave-1", PKI.of("gateway.enclave-1"));
            TrustedPolicy trusted = TestPki.trust(policyBytes);
            Map<String, String> props = gatewayProperties(broker, db, dir);

            try (KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers());
                 AdmissionWatch watch = new AdmissionWatch(broker.bootstrapServers())) {
                JavaApp gateway = start(props, dir, 0);
                try {
                    // one gateway process for the whole run: its JIT is as warm as the engine's
                    CpuAccount cpu = new CpuAccount().process("gateway", gateway.pid())
                            .process("benchJvm", ProcessHandle.current().pid());
                    for (Size size : sizes) {
                        List<byte[]> measured = capsules(base, size, size.count(), "run");
                        int bytes = measured.get(0).length;
                        System.err.printf(Locale.ROOT, "%s: %d capsules of %d bytes, 3 approvals each%n", size.label(),
                                measured.size(), bytes);

                        // Warm both paths on capsules that are not measured, round after round until the JIT
                        // compilers of both JVMs take less than a tenth of the CPU: a gateway runs for months, and
                        // while the compilers are busy they slow the gateway and the engine reference alike (with
                        // one 2000-capsule round they still took a third of all CPU of the measured window).
                        int rounds = 0;
                        double jitShare;
                        do {
                            List<byte[]> warm = capsules(base, size, size.warmup(), "warm" + rounds);
                            engineRate(warm, trusted);
                            Map<String, Double> before = cpu.snapshot();
                            produceAndAwait(producer, watch, warm);
                            jitShare = jitShare(CpuAccount.delta(before, cpu.snapshot()));
                            rounds++;
                            System.err.printf(Locale.ROOT, "%s warm-up round %d: JIT %.0f %% of the CPU%n", size.label(),
                                    rounds, 100 * jitShare);
                        } while ((jitShare > MAX_JIT_SHARE || rounds < MIN_WARMUP_ROUNDS)
                                && rounds < MAX_WARMUP_ROUNDS);

                        // Several measured windows, each on capsules of its own (ids must be new: a capsule seen
                        // before is a REPLAY) and with its own engine passes around it. On this shared 2-core machine
                        // one window's ratio moved by up to 0.1 between runs of the same code; the case reports the
                        // median window and keeps all of them.
                        List<Result> windows = new ArrayList<>();
                        for (int w = 0; w < WINDOWS; w++) {
                            List<byte[]> window = w == 0 ? measured : capsules(base, size, size.count(), "run" + w);
                            Result r = measure(size, window, trusted, producer, watch, cpu, rounds, w + 1);
                            windows.add(r);
                        }
                        List<Result> byRatio = new ArrayList<>(windows);
                        byRatio.sort(Comparator.comparingDouble(Result::ratio));
                        Result median = byRatio.get((byRatio.size() - 1) / 2);
                        results.add(median.withWindows(List.copyOf(windows)));
                        System.err.printf(Locale.ROOT, "%s: median of %d windows: %.1f admissions/s, ratio %.2f "
                                + "(ratios %s)%n", size.label(), windows.size(), median.gatewayRate(), median.ratio(),
                                windows.stream().map(r -> String.format(Locale.ROOT, "%.2f", r.ratio())).toList());
                    }
                } finally {
                    gateway.close();
                }
            }
            TempDirs.deleteTree(dir); // kept when the run fails: the gateway's log is there
        }
        write(results, loadBefore, loadAverage());
    }

    /** Measured windows per capsule size (-Dbench.windows); the case reports the median by ratio. */
    static final int WINDOWS = Integer.getInteger("bench.windows", 3);

    /** One measured window: engine passes before, the capsules through the gateway, engine passes after. */
    static Result measure(Size size, List<byte[]> measured, TrustedPolicy trusted, KafkaProducer<String, byte[]> producer,
                          AdmissionWatch watch, CpuAccount cpu, int rounds, int window) throws Exception {
        int bytes = measured.get(0).length;
        List<Double> passes = new ArrayList<>();
        for (int i = 0; i < REFERENCE_PASSES; i++) {
            passes.add(engineRate(measured, trusted));
        }
        List<String> keys = capsuleIds(measured);
        Set<String> ids = Set.copyOf(keys);
        watch.expect(ids);
        System.err.printf(Locale.ROOT, "%s: measuring (window %d)%n", size.label(), window);
        Map<String, Double> cpuBefore = cpu.snapshot();
        long t0 = System.nanoTime();
        produce(producer, keys, measured);
        List<Long> seen = watch.await(ids, Duration.ofMinutes(20));
        Map<String, Double> cpuMs = CpuAccount.delta(cpuBefore, cpu.snapshot());
        for (int i = 0; i < REFERENCE_PASSES; i++) {
            passes.add(engineRate(measured, trusted));
        }
        // The reference is the best pass: the engine's rate when nothing on the shared machine slowed it, the
        // stricter comparison for the gateway. (Passes used to disagree by up to three times, while the watcher kept
        // every admission: see AdmissionWatch.expect.)
        double engine = Collections.max(passes);
        System.err.printf(Locale.ROOT, "%s engine only: %.1f admissions/s (best of the passes %s)%n",
                size.label(), engine, passes.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
        long millis = (seen.get(seen.size() - 1) - t0) / 1_000_000;
        double rate = seen.size() * 1000.0 / Math.max(1, millis);
        List<Double> latencies = new ArrayList<>();
        for (long at : seen) {
            latencies.add((at - t0) / 1e6);
        }
        Result r = new Result(size, bytes, engine, List.copyOf(passes), rate, millis, pct(latencies, 0.50),
                pct(latencies, 0.99), cpuMs, rounds, List.of());
        System.err.printf(Locale.ROOT, "%s CPU during the run (ms): %s%n", size.label(), cpuMs);
        System.err.printf(Locale.ROOT, "%s gateway: %.1f admissions/s (%d in %d ms), %.0f %% of the engine%n",
                size.label(), rate, seen.size(), millis, 100 * r.ratio());
        watch.verifySample(ids);
        return r;
    }

    /** Passes of the engine alone on the measured capsules before the gateway run, and as many after it. */
    static final int REFERENCE_PASSES = Integer.getInteger("bench.reference-passes", 2);

    /** Warm-up ends once the JIT compilers use at most this share of the CPU of a round (or after the last round). */
    static final double MAX_JIT_SHARE = Double.parseDouble(System.getProperty("bench.max-jit-share", "0.10"));
    static final int MAX_WARMUP_ROUNDS = Integer.getInteger("bench.max-warmup-rounds", 15);
    /**
     * At least this many warm-up rounds. With 1 MB capsules the JIT share fell under the limit after one or two rounds
     * of 75, yet the compilers then took 10-18 % of the CPU of the first two measured windows (2026-11-27, 21:23-21:42)
     * and only the third was at steady state.
     */
    static final int MIN_WARMUP_ROUNDS = Integer.getInteger("bench.min-warmup-rounds", 4);

    /** The compilers' share of all CPU in a window: jit is counted within gateway and benchJvm already. */
    static double jitShare(Map<String, Double> cpuMs) {
        double all = cpuMs.getOrDefault("gateway", 0.0) + cpuMs.getOrDefault("benchJvm", 0.0)
                + cpuMs.getOrDefault("postgres", 0.0);
        return all <= 0 ? 0 : cpuMs.getOrDefault("jit", 0.0) / all;
    }

    // --- the reference: the engine alone ---

    static double engineRate(List<byte[]> capsules, TrustedPolicy policy) {
        VerificationEngine engine = new VerificationEngine(Clock.systemUTC());
        InMemoryLedger ledger = new InMemoryLedger();
        long t0 = System.nanoTime();
        for (byte[] c : capsules) {
            Verdict v = engine.verify(c, TestPki.PROD, policy, ledger);
            if (!v.isAdmitted()) {
                throw new IllegalStateException("bench capsule rejected by the engine: " + v.toJson());
            }
            ledger.record(new AdmissionLedger.Entry(v.capsuleId(), v.lineage(), v.sequence(), v.capsuleDigest(),
                    v.policyVersion(), Instant.now()));
        }
        long nanos = System.nanoTime() - t0;
        return capsules.size() * 1e9 / nanos;
    }

    // --- documents ---

    static Policy policy(Instant base) {
        Policy p = PKI.policy(1);
        return new Policy(p.schema(), p.version(), base.minus(Duration.ofDays(1)), base.plus(Duration.ofDays(30)),
                p.root(), p.principals(), p.tiers(), p.environments());
    }

    /**
     * {@code count} T3 capsules approved by alice, bob and carol, padded to about {@code size.targetBytes()} signed
     * bytes by a new file under {@code services/payments/} (in scope); ten capsules per lineage, in sequence order.
     */
    static List<byte[]> capsules(Instant base, Size size, int count, String tag) {
        int lines = 1;
        byte[] probe = capsule(base, size, lines, tag, 0, "probe", 1);
        int perLine = 101;
        lines = Math.max(1, (int) ((size.targetBytes() - probe.length) / (perLine * 4.0 / 3)));
        List<byte[]> out = new ArrayList<>(count);
        String lineage = null;
        for (int i = 0; i < count; i++) {
            if (i % 10 == 0) {
                lineage = "bench-" + tag + "-" + size.label() + ":" + UUID.randomUUID();
            }
            out.add(capsule(base, size, lines, tag, i, lineage, i % 10 + 1));
        }
        return out;
    }

    static byte[] capsule(Instant base, Size size, int lines, String tag, int i, String lineage, long sequence) {
        StringBuilder content = new StringBuilder(lines * 101);
        StringBuilder patch = new StringBuilder(lines * 102 + 200);
        String path = "services/payments/bench/" + tag + "-" + size.label() + "-" + i + ".txt";
        patch.append("--- /dev/null\n+++ b/").append(path).append("\n@@ -0,0 +1,").append(lines).append(" @@\n");
        for (int l = 0; l < lines; l++) {
            String line = String.format(Locale.ROOT, "%08d ", l) + "x".repeat(91);
            content.append(line).append('\n');
            patch.append('+').append(line).append('\n');
        }
        String after = Hex.digest(content.toString().getBytes(StandardCharsets.UTF_8));
        TestPki.CapsuleSpec s = new TestPki.CapsuleSpec();
        s.capsuleId = UUID.randomUUID().toString();
        s.lineage = lineage;
        s.sequence = sequence;
        s.createdAt = base.minus(Duration.ofMinutes(10));
        s.expiresAt = base.plus(Duration.ofDays(7));
        s.tier = "T3";
        s.files = List.of(new Capsule.FileChange(path, null, after));
        s.patch = patch.toString();
        Envelope c = PKI.signCapsule(s.build());
        return TestPki.bundle(c, PKI.approve(c, "alice", "service-owner"), PKI.approve(c, "bob", "security-officer"),
                PKI.approve(c, "carol", "authorizing-official"));
    }

    static List<String> capsuleIds(List<byte[]> signedCapsules) {
        List<String> ids = new ArrayList<>(signedCapsules.size());
        for (byte[] c : signedCapsules) {
            ids.add(capsuleId(c));
        }
        return ids;
    }

    static String capsuleId(byte[] signedCapsule) {
        try {
            StrictJson.Limits l = StrictJson.SIGNED.withMaxBytes(LARGE);
            return StrictJson.read(dev.airlock.core.capsule.SignedCapsule.parse(signedCapsule, l).capsule()
                    .payloadBytes(), Capsule.class, l).capsuleId();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // --- Kafka and the gateway process ---

    /** The load plays the diode receiver, so it produces as the receiver does (linger 5 ms, batches up to 1 MiB). */
    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LARGE, ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * LARGE,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Sends {@code capsules} keyed by {@code ids} (same order). The keys are read from the capsules before the clock
     * starts, as the diode receiver gets each record's key with the message instead of parsing the capsule: parsing a
     * 1 MB capsule for its id here took about 6 ms of this JVM's CPU per capsule inside the measured window
     * (2026-11-27, per-thread CPU from /proc), work no part of the real path does.
     */
    static void produce(KafkaProducer<String, byte[]> producer, List<String> ids, List<byte[]> capsules)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(capsules.size());
        for (int i = 0; i < capsules.size(); i++) {
            acks.add(producer.send(new ProducerRecord<>(Topics.INBOUND, ids.get(i), capsules.get(i))));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get(5, TimeUnit.MINUTES);
        }
    }

    static void produceAndAwait(KafkaProducer<String, byte[]> producer, AdmissionWatch watch, List<byte[]> capsules)
            throws Exception {
        List<String> ids = capsuleIds(capsules);
        Set<String> expected = Set.copyOf(ids);
        watch.expect(expected);
        produce(producer, ids, capsules);
        watch.await(expected, Duration.ofMinutes(10));
    }

    static Map<String, String> gatewayProperties(KafkaBroker broker, PostgresServer db, Path dir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", broker.bootstrapServers());
        p.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        p.put("quarkus.datasource.reactive.url", db.reactiveUrl());
        p.put("quarkus.datasource.username", db.username());
        p.put("quarkus.datasource.password", db.password());
        p.put("airlock.gateway.key", KeyFiles.privateKeyPath(dir, "gateway.enclave-1").toString());
        p.put("airlock.gateway.initial-policy", dir.resolve("policy-v1.dsse.json").toString());
        p.put("airlock.gateway.environment", TestPki.PROD);
        p.put("airlock.gateway.status-file", dir.resolve("status.json").toString());
        p.put("airlock.gateway.heartbeat-grace", "PT2H"); // no diode in the benchmark
        p.put("quarkus.log.category.\"dev.airlock.gateway.service.Decider\".level", "WARN"); // one line per capsule
        p.put("quarkus.log.category.\"dev.airlock.gateway.service.AdmissionService\".level",
                System.getProperty("bench.batch-log", "INFO")); // DEBUG: decide/record time per batch
        // extra gateway configuration for experiments, "key=value" pairs separated by '|' (recorded in params)
        for (String kv : System.getProperty("bench.gateway-config", "").split("\\|")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                p.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return p;
    }

    /**
     * The gateway's JVM as deploy/compose and deploy/k8s run it (deploy/README.md, "Gateway JVM sizing"; the deploy
     * module's ManifestsTest keeps the three the same). The serial collector: the JVM's default here, G1, put every
     * buffer of a 1 MB capsule in a humongous region (65 ms of gateway CPU per 1 MB admission under G1 against 33-37 ms
     * under the serial collector, 2026-11-26). A fixed 1 GiB heap with a 512 MiB young generation: with the JVM's
     * default sizing (365 MB to start, a 100 MB eden, 13 MB survivor spaces) the capsules of a chunk outlived their
     * survivor space and were promoted, and the old generation filled and was collected whole every second or two; the
     * collector then took about a quarter of the gateway's CPU at 1 MB (2026-11-28: 1.0-1.3 s of pauses in 8 s,
     * against 0.18 s with this sizing). The heap's pages touched at start (AlwaysPreTouch): until the old generation
     * had been filled once, each promotion wrote into pages never used before, which this kind of virtual machine backs
     * only on first touch (a host fault per page); young pauses of 150-250 ms, 1.56 s of pauses in the last 45 s of
     * the run against 0.46 s with the heap touched at start (2026-11-28).
     */
    static final String GATEWAY_JVM = "-XX:+UseSerialGC -Xms1g -Xmx1g -Xmn512m -XX:+AlwaysPreTouch";

    /** {@code airlock.gateway.decision-threads} as the gateway gets it: set in the JVM options, or its default. */
    static int gatewayDecisionThreads() {
        String extra = System.getProperty("bench.gateway-jvm-options", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-Dairlock\\.gateway\\.decision-threads=(\\d+)")
                .matcher(extra);
        return m.find() ? Integer.parseInt(m.group(1)) : Runtime.getRuntime().availableProcessors();
    }

    static JavaApp start(Map<String, String> props, Path dir, int run) throws Exception {
        Path status = dir.resolve("status.json");
        Files.deleteIfExists(status);
        JavaApp.Builder b = JavaApp.jar(GATEWAY_JAR).log(dir.resolve("gateway-" + run + ".log"));
        props.forEach(b::systemProperty);
        String extra = System.getProperty("bench.gateway-jvm-options"); // e.g. -XX:StartFlightRecording=...
        b.env("JAVA_TOOL_OPTIONS", GATEWAY_JVM + (extra == null ? "" : " " + extra));
        JavaApp app = b.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!(Files.exists(status) && new String(Files.readAllBytes(status), StandardCharsets.UTF_8)
                .contains("\"ready\":true"))) {
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway did not start:\n" + app.logText());
            }
            Thread.sleep(100);
        }
        return app;
    }

    /**
     * Whether the broker keeps a bounded log (-Dbench.bounded-log, default true): segments of {@link #SEGMENT_BYTES}
     * and at most {@link #RETENTION_BYTES} per partition, older segments deleted within about two seconds. This
     * machine is a virtual machine whose host backs memory only when the guest first touches it, and whose guest hands
     * back what it frees or leaves cold (its kernel runs DAMON with a pageout scheme, and the virtio-balloon driver):
     * a write into page cache that never held data costs a host fault per page. Measured here (2026-11-28): 225 MB/s writing files that grow without end against 4,100-4,400
     * MB/s writing the same files while deleting those more than 64 MB behind; with an unbounded log the broker's
     * copies into page cache were 37 % of all CPU of a 1 MB window (perf). A broker that runs for months writes into
     * page cache that retention and reclaim freed before, at the second rate; the bench's log is bounded so that its
     * broker does the same, well above what a window has in flight (150 MB of 1 MB capsules).
     */
    static final boolean BOUNDED_LOG = Boolean.parseBoolean(System.getProperty("bench.bounded-log", "true"));
    static final int SEGMENT_BYTES = 32 * 1024 * 1024;
    static final long RETENTION_BYTES = 256L * 1024 * 1024;
    static final Map<String, String> BOUNDED_LOG_BROKER = Map.of("log.retention.check.interval.ms", "1000",
            "log.segment.delete.delay.ms", "1000");

    /** Records up to {@link #LARGE} on every topic, and the bounded log when {@link #BOUNDED_LOG}. */
    static void configureTopics(String bootstrap, Collection<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            for (String t : topics) {
                List<AlterConfigOp> set = new ArrayList<>(List.of(new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", Integer.toString(LARGE)), AlterConfigOp.OpType.SET)));
                if (BOUNDED_LOG) {
                    set.add(new AlterConfigOp(new ConfigEntry("segment.bytes", Integer.toString(SEGMENT_BYTES)),
                            AlterConfigOp.OpType.SET));
                    set.add(new AlterConfigOp(new ConfigEntry("retention.bytes", Long.toString(RETENTION_BYTES)),
                            AlterConfigOp.OpType.SET));
                }
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), set);
            }
            admin.incrementalAlterConfigs(ops).all().get(1, TimeUnit.MINUTES);
        }
    }

    /** Reads {@code airlock.admissions.v1} on its own thread and notes when each expected capsule was admitted. */
    static final class AdmissionWatch implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Long> seenAt = new HashMap<>();
        private final Map<String, byte[]> values = new HashMap<>();
        private final Thread thread;
        private volatile boolean running = true;
        private Set<String> expected = Set.of();

        AdmissionWatch(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LARGE),
                    new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(Topics.ADMISSIONS));
            thread = new Thread(this::run, "admission-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * The ids the next produce will be admitted under. Only their admissions are kept (for {@link #verifySample}):
         * keeping every admission of the run held up to about 750 MB of admissions in this JVM, which the broker
         * and the engine reference share, and made its collector's work part of both measurements.
         */
        synchronized void expect(Set<String> ids) {
            expected = Set.copyOf(ids);
            values.clear();
        }

        private void run() {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    synchronized (this) {
                        if (expected.contains(r.key()) && !seenAt.containsKey(r.key())) {
                            seenAt.put(r.key(), now);
                            values.put(r.key(), r.value());
                            notifyAll();
                        }
                    }
                }
            }
            consumer.close();
        }

        /** Observation times (nanoTime) of {@code ids}, sorted. */
        synchronized List<Long> await(Set<String> ids, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!seenAt.keySet().containsAll(ids)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("only " + ids.stream().filter(seenAt::containsKey).count() + " of "
                            + ids.size() + " admissions observed");
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
            return ids.stream().map(seenAt::get).sorted().toList();
        }

        /** Every observed admission of {@code ids} is a gateway-signed admission (checked after the clock stopped). */
        synchronized void verifySample(Set<String> ids) throws Exception {
            var ring = Admission.ring(PKI.of("gateway.enclave-1").publicKey());
            for (String id : ids) {
                Admission a = Admission.verify(values.get(id), ring);
                if (!a.admitted()) {
                    throw new IllegalStateException(id + " was rejected: " + a.reason() + " " + a.detail());
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    // --- result ---

    static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void write(List<Result> results, String loadBefore, String loadAfter) throws IOException {
        Result worst = results.stream().min((a, b) -> Double.compare(a.ratio(), b.ratio())).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", "gateway");
        out.put("metric", "gateway admission throughput, end to end through Kafka and PostgreSQL (lowest ratio of "
                + "the capsule sizes; per size, the median of " + WINDOWS + " measured windows)");
        out.put("unit", "admissions/s");
        out.put("value", round(worst.gatewayRate()));
        out.put("reference", "capsule-core VerificationEngine alone on the same capsules, same run, one thread "
                + "(the best of " + REFERENCE_PASSES + " passes just before and " + REFERENCE_PASSES
                + " just after each gateway window; every pass in cases[].windows[].referencePasses)");
        out.put("referenceValue", round(worst.engineRate()));
        out.put("ratio", round(worst.ratio()));
        out.put("target", "ratio >= 0.5");
        out.put("throughputPerSec", round(worst.gatewayRate()));
        out.put("p50Ms", round(worst.p50Ms()));
        out.put("p99Ms", round(worst.p99Ms()));
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("size", r.size().label());
            c.put("signedCapsuleBytes", r.actualBytes());
            c.put("capsules", r.size().count());
            c.put("warmupCapsules", r.size().warmup() * r.warmupRounds());
            c.put("warmupRounds", r.warmupRounds());
            c.put("approvals", 3);
            c.putAll(window(r));
            c.put("windowRatios", r.windows().stream().map(w -> round(w.ratio())).toList());
            // every measured window, in the order they ran; the fields above are those of the median one
            c.put("windows", r.windows().stream().map(GatewayBench::window).toList());
            cases.add(c);
        }
        out.put("cases", cases);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("warmup", "rounds of warmupCapsules/warmupRounds capsules through both paths until the JIT compilers "
                + "of both JVMs used at most " + MAX_JIT_SHARE + " of the round's CPU (at least " + MIN_WARMUP_ROUNDS
                + ", at most " + MAX_WARMUP_ROUNDS + " rounds)");
        params.put("windows", WINDOWS + " measured windows per size, each on new capsules with its own reference "
                + "passes; a case shows the median window by ratio, cases[].windows all of them");
        params.put("method", "after a warm-up of both paths, n capsules produced to airlock.inbound.v1 (1 partition) "
                + "as fast as possible, keyed by capsule id as the diode receiver does (the ids read before the clock "
                + "starts); rate = n / (last admission observed on airlock.admissions.v1 - first send); "
                + "p50/p99 = time from the first send until each admission was observed (queueing included)");
        params.put("tier", "T3 (service-owner, security-officer, authorizing-official, ticket)");
        params.put("gateway", "packaged quarkus-run.jar, child process, " + GATEWAY_JVM
                + " as deploy/compose and deploy/k8s run it");
        params.put("gatewayDecisionThreads", gatewayDecisionThreads());
        String extra = System.getProperty("bench.gateway-jvm-options");
        if (extra != null) {
            params.put("gatewayJvmOptions", extra);
        }
        String config = System.getProperty("bench.gateway-config");
        if (config != null) {
            params.put("gatewayConfig", config);
        }
        params.put("kafka", "single-node KRaft broker in the benchmark JVM (test-support EmbeddedKafka)" + (BOUNDED_LOG
                ? "; bounded log: segment.bytes " + SEGMENT_BYTES + ", retention.bytes " + RETENTION_BYTES + " per "
                + "partition, " + BOUNDED_LOG_BROKER : "; log not bounded (bench.bounded-log=false)"));
        // the broker, the load producer, the watcher and the engine reference all run in this JVM, under its collector
        params.put("benchJvmGc", java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList());
        params.put("postgres", "zonky embedded PostgreSQL (test-support)");
        params.put("cpu", "cpuMsPerCapsule: user+system CPU from /proc over the measured window divided by the capsules"
                + " (gateway = the gateway process; benchJvm = the broker, the load producer and the admission watcher;"
                + " jit, gatewayJit, benchJvmJit = their JIT compiler threads, already counted in those two; postgres = server and"
                + " backends); the machine has 2 cores for all of them");
        out.put("params", params);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadavgBefore", loadBefore);
        machine.put("loadavgAfter", loadAfter);
        machine.put("note", "2-core machine shared with other builds; the ratio, not the absolute rate, is the result");
        out.put("machine", machine);
        out.put("date", StrictJson.formatInstant(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        Files.createDirectories(RESULT.getParent());
        Files.write(RESULT, StrictJson.writePretty(out));
        System.err.println("wrote " + RESULT + ":\n" + new String(StrictJson.writePretty(out), StandardCharsets.UTF_8));
    }

    /** What one measured window shows. */
    static Map<String, Object> window(Result r) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("value", round(r.gatewayRate()));
        c.put("referenceValue", round(r.engineRate()));
        // every pass of the engine alone, before then after the gateway run: their spread shows how much the
        // shared machine moved
        c.put("referencePasses", r.enginePasses().stream().map(GatewayBench::round).toList());
        c.put("ratio", round(r.ratio()));
        c.put("gatewayMillis", r.gatewayMillis());
        c.put("p50Ms", round(r.p50Ms()));
        c.put("p99Ms", round(r.p99Ms()));
        Map<String, Object> cpu = new LinkedHashMap<>();
        r.cpuMs().forEach((k, v) -> cpu.put(k, round(v / r.size().count())));
        c.put("cpuMsPerCapsule", cpu);
        c.put("jitShareOfCpu", round(jitShare(r.cpuMs())));
        c.put("cpuCoresBusy", round(r.cpuMs().entrySet().stream().filter(e -> !e.getKey().endsWith("jit")
                        && !e.getKey().endsWith("Jit"))
                .mapToDouble(Map.Entry::getValue).sum() / Math.max(1, r.gatewayMillis())));
        return c;
    }

    static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    private GatewayBench() {
    }
}
