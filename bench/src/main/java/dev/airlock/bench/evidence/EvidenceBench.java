package dev.airlock.bench.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.Checkpoint;
import dev.airlock.core.evidence.CheckpointVerifier;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.merkle.InMemoryMerkleLog;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.TempDirs;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Evidence log benchmark (issue «evidence-service»):
 * <ol>
 * <li>appends per second through the real service (Kafka in, verification, Merkle append with its subtree rows and
 * leaf receipt, sanitized projection re-signed and published, offset commit) with checkpoints every second, against
 * the same run's raw PostgreSQL single-row insert rate into a table of the same shape (the reference; ratio =
 * appends/s ÷ raw inserts/s);</li>
 * <li>inclusion proof generation (REST, O(log n) rows) and client-side verification against the signed checkpoint
 * at 10^5 and 10^6 leaves (bulk-loaded with COPY, then served by a fresh service process).</li>
 * </ol>
 * Writes {@code bench/results/evidence.json}. Run from the repository root after packaging evidence-service.
 */
public final class EvidenceBench {
    private static final String LOG = "evidence.enclave-1";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EvidenceBench() {
    }

    public static void main(String[] args) throws Exception {
        int appends = Integer.getInteger("appends", 2000);
        int samples = Integer.getInteger("samples", 1000);
        long[] sizes = Arrays.stream(System.getProperty("sizes", "100000,1000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        Path jar = Path.of("evidence-service/target/quarkus-app/quarkus-run.jar");
        Path work = Files.createTempDirectory("airlock-evidence-bench");
        TestPki pki = new TestPki();
        KeyFiles.write(work, LOG, pki.of(LOG));
        byte[] policyBytes = pki.signPolicy(pki.policy(1), pki.root(1), pki.root(2));
        Path policy = Files.write(work.resolve("policy.dsse.json"), policyBytes);
        TrustedPolicy trusted = TestPki.trust(policyBytes);

        Map<String, Object> result = new LinkedHashMap<>();
        try (PostgresServer pg = PostgresServer.startEmbedded(); KafkaBroker kafka = KafkaBroker.start()) {
            List<String> topics = new ArrayList<>();
            for (String t : List.of(Topics.EVIDENCE_RAW, Topics.DIODE_HEALTH, Topics.INBOUND,
                    Topics.EVIDENCE_SANITIZED, Topics.EVIDENCE_METADATA)) {
                topics.add(t);
                topics.add(Topics.dlq(t));
            }
            topics.add("airlock.inbound.v1.evidence.dlq");
            kafka.createTopics(topics);
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("create database appends");
                s.execute("create database proofs");
            }

            // 1. Raw insert reference, then appends through the service.
            List<byte[]> bundles = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                bundles.add(bundle(pki, "bench-" + i));
            }
            double rawPerSec = rawInserts(pg, bundles);
            log("raw PostgreSQL single-row inserts: %.0f/s", rawPerSec);
            Map<String, Object> appendRun;
            int port = freePort();
            try (JavaApp app = service(jar, pg, "appends", kafka, work, policy, port, true)) {
                awaitReady(port, app);
                long t0 = System.nanoTime();
                try (KafkaTestClient client = new KafkaTestClient(kafka)) {
                    for (int i = 0; i < appends; i++) {
                        client.send(Topics.EVIDENCE_RAW, "bench-" + i, bundles.get(i));
                    }
                }
                awaitStatus(port, "/api/bundles/bench-" + (appends - 1), Duration.ofMinutes(30), app);
                double seconds = (System.nanoTime() - t0) / 1e9;
                int checkpoints = json(get(port, "/api/checkpoints")).size();
                appendRun = new LinkedHashMap<>();
                appendRun.put("appends", appends);
                appendRun.put("seconds", round(seconds));
                appendRun.put("appendsPerSec", round(appends / seconds));
                appendRun.put("checkpointsSignedDuringRun", checkpoints);
                log("service appends: %d in %.1f s = %.0f/s, %d checkpoints", appends, seconds, appends / seconds,
                        checkpoints);
            }

            // 2. Proofs at each size.
            List<Map<String, Object>> proofRuns = new ArrayList<>();
            InMemoryMerkleLog log = new InMemoryMerkleLog();
            createSchema(pg, "proofs");
            for (long size : sizes) {
                load(pg, "proofs", log, size, pki);
                port = freePort();
                try (JavaApp app = service(jar, pg, "proofs", kafka, work, policy, port, false)) {
                    awaitReady(port, app);
                    proofRuns.add(proofs(port, size, samples, trusted));
                }
            }

            double appendsPerSec = (double) appendRun.get("appendsPerSec");
            result.put("name", "evidence");
            result.put("metric", "appends per second through evidence-service with checkpointing on");
            result.put("unit", "appends/s");
            result.put("value", appendsPerSec);
            result.put("reference", "raw PostgreSQL single-row INSERT (autocommit) of the same rows, same run, same "
                    + "database server");
            result.put("referenceValue", round(rawPerSec));
            result.put("ratio", Math.round(appendsPerSec / rawPerSec * 10_000) / 10_000.0);
            result.put("throughputPerSec", appendsPerSec);
            result.put("params", Map.of("appends", appends, "checkpointInterval", "PT1S",
                    "egress", "sanitized (projection re-signed and published per bundle)",
                    "proofSamples", samples, "sizes", Arrays.toString(sizes)));
            result.put("appendRun", appendRun);
            result.put("proofs", proofRuns);
            result.put("machine", machine());
            result.put("date", Instant.now().toString());
        }
        Path out = Path.of("bench/results/evidence.json");
        Files.createDirectories(out.getParent());
        Files.write(out, StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        log("wrote %s", out);
        TempDirs.deleteTree(work); // kept when the run fails: the services' logs are there
        System.exit(0);
    }

    static byte[] bundle(TestPki pki, String capsuleId) {
        EvidencePredicate p = new EvidencePredicate(capsuleId, TestPki.PROD, "T2", "bench", "apply",
                new EvidencePredicate.Component("runner.edge-7", "0.1.0"), "APPLIED",
                new EvidencePredicate.Admission("admitted", null, 1L,
                        List.of(new EvidencePredicate.Approver("alice", "service-owner", null))),
                new EvidencePredicate.BeforeState("9c1e5a0", List.of(new EvidencePredicate.FileDigest("pom.xml",
                        "ab".repeat(32)))),
                new EvidencePredicate.ChangeRecord("cd".repeat(32), List.of(new EvidencePredicate.FileDigest(
                        "pom.xml", "ef".repeat(32)))),
                List.of(new EvidencePredicate.ValidationResult("build", List.of("mvn", "-q", "-o", "verify"), 0,
                        false, 4200, "BUILD SUCCESS\n".repeat(20), "", "11".repeat(32), "22".repeat(32), true,
                        280L, 0L)),
                new EvidencePredicate.RollbackRecord(true, true, true), null, TestPki.NOW, TestPki.NOW.plusSeconds(42));
        String digest = Hex.digest(capsuleId.getBytes(StandardCharsets.UTF_8));
        return EvidenceBundles.sign(dev.airlock.core.evidence.Statement.of(digest, p), pki.of("runner.edge-7")).toJson();
    }

    /** Single-row autocommit inserts of the same rows into a table shaped like evidence_leaf. */
    static double rawInserts(PostgresServer pg, List<byte[]> entries) throws Exception {
        try (Connection c = pg.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("create table raw_leaf (leaf_index bigint primary key, leaf_hash bytea not null unique, "
                        + "entry bytea, entry_kind text not null, capsule_id text, environment text, outcome text, "
                        + "signer text not null, received_at timestamptz not null, egress_mode text not null, "
                        + "receipt bytea not null)");
            }
            try (PreparedStatement p = c.prepareStatement("insert into raw_leaf values (?,?,?,?,?,?,?,?,?,?,?)")) {
                long t0 = System.nanoTime();
                for (int i = 0; i < entries.size(); i++) {
                    p.setLong(1, i);
                    p.setBytes(2, MerkleHash.leafHash(entries.get(i)));
                    p.setBytes(3, entries.get(i));
                    p.setString(4, "bundle");
                    p.setString(5, "bench-" + i);
                    p.setString(6, TestPki.PROD);
                    p.setString(7, "APPLIED");
                    p.setString(8, "runner.edge-7");
                    p.setTimestamp(9, Timestamp.from(Instant.now()));
                    p.setString(10, "sanitized");
                    p.setBytes(11, new byte[64]);
                    p.executeUpdate();
                }
                return entries.size() / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    static JavaApp service(Path jar, PostgresServer pg, String db, KafkaBroker kafka, Path work, Path policy, int port,
                           boolean migrate) {
        return JavaApp.jar(jar)
                .systemProperty("quarkus.http.port", String.valueOf(port))
                .systemProperty("quarkus.datasource.jdbc.url", pg.jdbcUrl().replace("/airlock", "/" + db))
                .systemProperty("quarkus.datasource.reactive.url", pg.reactiveUrl().replace("/airlock", "/" + db))
                .systemProperty("quarkus.datasource.username", pg.username())
                .systemProperty("quarkus.datasource.password", pg.password())
                .systemProperty("quarkus.flyway.migrate-at-start", String.valueOf(migrate))
                .systemProperty("kafka.bootstrap.servers", kafka.bootstrapServers())
                .systemProperty("airlock.evidence.key", KeyFiles.privateKeyPath(work, LOG).toString())
                .systemProperty("airlock.evidence.initial-policy", policy.toString())
                .systemProperty("airlock.evidence.checkpoint-interval", "PT1S")
                .systemProperty("quarkus.log.level", "WARN")
                .log(work.resolve("evidence-" + db + "-" + port + ".log"))
                .start();
    }

    static void createSchema(PostgresServer pg, String db) throws Exception {
        String sql = Files.readString(Path.of("evidence-service/src/main/resources/db/migration/V1__evidence_log.sql"));
        try (Connection c = connect(pg, db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static Connection connect(PostgresServer pg, String db) throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl().replace("/airlock", "/" + db), pg.username(), pg.password());
    }

    /**
     * Grows the stored log to {@code size} leaves with COPY: small synthetic entries, their leaf hashes, every new
     * complete subtree, and a signed checkpoint. Receipts are placeholders (chain verification is not measured here).
     */
    static void load(PostgresServer pg, String db, InMemoryMerkleLog log, long size, TestPki pki) throws Exception {
        long from = log.size();
        long t0 = System.nanoTime();
        try (Connection c = connect(pg, db)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            String receipt = "\\x" + "00".repeat(64);
            for (long start = from; start < size; start += 50_000) {
                long end = Math.min(size, start + 50_000);
                StringBuilder leaves = new StringBuilder();
                StringBuilder subtrees = new StringBuilder();
                for (long i = start; i < end; i++) {
                    byte[] entry = ("{\"bench\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                    log.append(entry);
                    leaves.append(i).append(",\\x").append(Hex.encode(log.leafHash(i))).append(",\\x")
                            .append(Hex.encode(entry)).append(",bundle,bench-").append(i).append(",")
                            .append(TestPki.PROD).append(",APPLIED,runner.edge-7,2026-11-25T10:00:00Z,local-only,")
                            .append(receipt).append('\n');
                    long idx = i;
                    for (int level = 1; (idx & 1) == 1; level++) {
                        idx >>= 1;
                        subtrees.append(level).append(',').append(idx).append(",\\x")
                                .append(Hex.encode(log.cachedSubtreeHash(level, idx))).append('\n');
                    }
                }
                copy.copyIn("COPY evidence_leaf (leaf_index, leaf_hash, entry, entry_kind, capsule_id, environment, "
                        + "outcome, signer, received_at, egress_mode, receipt) FROM STDIN WITH (FORMAT csv)",
                        new StringReader(leaves.toString()));
                copy.copyIn("COPY merkle_subtree (level, idx, hash) FROM STDIN WITH (FORMAT csv)",
                        new StringReader(subtrees.toString()));
            }
            byte[] root = log.tree().rootHash(size);
            Envelope cp = Checkpoint.of(LOG, size, root, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .sign(pki.of(LOG));
            try (Statement s = c.createStatement()) {
                s.execute("insert into log_head (id, log_id, size) values (1, '" + LOG + "', " + size + ") "
                        + "on conflict (id) do update set size = excluded.size");
            }
            try (PreparedStatement p = c.prepareStatement(
                    "insert into checkpoint (size, root_hash, envelope, created_at) values (?, ?, ?, now())")) {
                p.setLong(1, size);
                p.setBytes(2, root);
                p.setBytes(3, cp.toJson());
                p.executeUpdate();
            }
        }
        log("loaded leaves %d..%d in %.1f s", from, size, (System.nanoTime() - t0) / 1e9);
    }

    static Map<String, Object> proofs(int port, long size, int samples, TrustedPolicy trusted) throws Exception {
        Random random = new Random(42);
        // warm-up: JIT and connection pool
        for (int i = 0; i < 50; i++) {
            get(port, "/api/proofs/inclusion?leafIndex=" + (long) (random.nextDouble() * size));
        }
        long[] gen = new long[samples];
        long[] ver = new long[samples];
        long t0 = System.nanoTime();
        for (int i = 0; i < samples; i++) {
            long index = (long) (random.nextDouble() * size);
            long a = System.nanoTime();
            JsonNode proof = json(get(port, "/api/proofs/inclusion?leafIndex=" + index));
            gen[i] = System.nanoTime() - a;
            long b = System.nanoTime();
            var cp = CheckpointVerifier.verify(StrictJson.write(proof.get("checkpoint")), trusted, LOG);
            List<byte[]> hashes = new ArrayList<>();
            proof.get("hashes").forEach(h -> hashes.add(Hex.decode(h.asText())));
            CheckpointVerifier.verifyInclusion(cp, Hex.decode(proof.get("leafHash").asText()), index, hashes);
            ver[i] = System.nanoTime() - b;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("leaves", size);
        r.put("samples", samples);
        r.put("generationP50Ms", ms(pct(gen, 50)));
        r.put("generationP99Ms", ms(pct(gen, 99)));
        r.put("verificationP50Ms", ms(pct(ver, 50)));
        r.put("verificationP99Ms", ms(pct(ver, 99)));
        r.put("verificationIncludes", "checkpoint Ed25519 signature + strict parse + RFC 9162 inclusion check");
        r.put("throughputPerSec", round(samples / seconds));
        log("%d leaves: proof generation p50 %.2f ms p99 %.2f ms, verification p50 %.3f ms p99 %.3f ms", size,
                ms(pct(gen, 50)), ms(pct(gen, 99)), ms(pct(ver, 50)), ms(pct(ver, 99)));
        return r;
    }

    static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static HttpResponse<byte[]> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return StrictJson.mapper().readTree(r.body());
    }

    static void awaitReady(int port, JavaApp app) throws Exception {
        awaitStatus(port, "/api/policy", Duration.ofMinutes(5), app);
    }

    static void awaitStatus(int port, String path, Duration timeout, JavaApp app) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!app.isAlive()) {
                throw new IllegalStateException("evidence-service exited:\n" + app.logText());
            }
            try {
                if (get(port, path).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out waiting for " + path + ":\n" + app.logText());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.version"));
        try {
            m.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).strip());
        } catch (IOException e) {
            m.put("loadAverage", "unknown");
        }
        return m;
    }

    static void log(String format, Object... args) {
        System.err.println("[evidence-bench] " + String.format(Locale.ROOT, format, args));
    }
}
