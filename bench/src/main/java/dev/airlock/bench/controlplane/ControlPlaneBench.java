package dev.airlock.bench.controlplane;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.TempDirs;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Proposal → signed capsule throughput through the approval service, end to end: a real KRaft broker and a real
 * PostgreSQL, the packaged service ({@code approval-service/target/quarkus-app/quarkus-run.jar}) as a child process.
 * For N capsules: N proposals on {@code airlock.proposals.v1}; once all are queued, 2N approvals (alice, bob) on
 * {@code airlock.decisions.v1}; the clock stops when N signed capsules have been read from
 * {@code airlock.capsules.signed.v1}. Each proposal and each decision is verified by the capsule-core engine on
 * arrival, each authorization is a PostgreSQL transaction plus an outbox row, each emission a broker-acknowledged
 * record.
 *
 * <p>Reference, same run, same broker: N records of the same size produced to a topic and consumed back (the Kafka
 * round trip). {@code ratio} = service throughput ÷ round-trip throughput.
 *
 * <p>Run: {@code ./mvnw -B -pl approval-service,bench -am package -DskipTests} then
 * {@code java -cp "bench/target/classes:$(cat bench/target/cp.txt)" dev.airlock.bench.controlplane.ControlPlaneBench
 * [capsules]} where {@code cp.txt} comes from {@code ./mvnw -q -pl bench dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt}. Writes {@code bench/results/control-plane.json}.
 */
public final class ControlPlaneBench {
    private static final TestPki PKI = new TestPki();

    private ControlPlaneBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = Math.max(50, n / 10);
        Path root = Path.of(System.getProperty("airlock.repo.root", ".")).toAbsolutePath().normalize();
        Path jar = root.resolve("approval-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: ./mvnw -B -pl approval-service -am package -DskipTests");
        }
        Path work = Files.createTempDirectory("control-plane-bench");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Policy policy = policy(now);
        Path policyFile = work.resolve("policy.dsse.json");
        Files.write(policyFile, PKI.signPolicy(policy, PKI.root(1), PKI.root(2)));

        try (KafkaBroker broker = KafkaBroker.start(); PostgresServer db = PostgresServer.start()) {
            broker.createTopics(Topics.PROPOSALS, Topics.DECISIONS, Topics.POLICY_SIGNED, Topics.CAPSULES_SIGNED,
                    Topics.dlq(Topics.PROPOSALS), Topics.dlq(Topics.DECISIONS), Topics.dlq(Topics.POLICY_SIGNED),
                    "bench.roundtrip");
            int port = freePort();
            try (JavaApp app = JavaApp.jar(jar)
                    .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
                    .systemProperty("quarkus.datasource.jdbc.url", db.jdbcUrl())
                    .systemProperty("quarkus.datasource.username", db.username())
                    .systemProperty("quarkus.datasource.password", db.password())
                    .systemProperty("quarkus.http.port", Integer.toString(port))
                    .systemProperty("airlock.approval.initial-policy", policyFile.toString())
                    .systemProperty("quarkus.log.level", "WARN")
                    .log(work.resolve("approval-service.log")).start()) {
                awaitReady(port, app);
                try (KafkaProducer<String, byte[]> producer = producer(broker);
                     KafkaConsumer<String, byte[]> consumer = consumer(broker, Topics.CAPSULES_SIGNED)) {
                    System.err.printf(Locale.ROOT, "warm-up: %d capsules%n", warmup);
                    run(warmup, now, producer, consumer, db);
                    System.err.printf(Locale.ROOT, "measured: %d capsules%n", n);
                    Result service = run(n, now, producer, consumer, db);
                    byte[] sample = service.sampleValue();
                    double reference = roundTrip(broker, producer, n, sample);
                    write(root, n, service, reference, sample.length, broker.kind() + "/" + db.kind());
                }
            }
        }
        TempDirs.deleteTree(work); // kept when the run fails: the approval service's log is there
    }

    record Result(double perSec, double proposalsMs, double decisionsMs, double totalMs, byte[] sampleValue) {
    }

    private static Result run(int n, Instant now, KafkaProducer<String, byte[]> producer,
                              KafkaConsumer<String, byte[]> consumer, PostgresServer db) throws Exception {
        List<Envelope> capsules = new ArrayList<>(n);
        List<byte[]> proposals = new ArrayList<>(n);
        List<byte[]> decisions = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            Capsule c = PKI.capsule(s -> s.with(x -> {
                x.capsuleId = id;
                x.lineage = "payments-api:" + id;
                x.createdAt = now.minus(Duration.ofMinutes(1));
                x.expiresAt = now.plus(Duration.ofDays(7));
            }));
            Envelope env = PKI.signCapsule(c);
            capsules.add(env);
            proposals.add(proposal(env));
            decisions.add(approve(env, id, "alice", "service-owner", now));
            decisions.add(approve(env, id, "bob", "security-officer", now));
        }
        long before = count(db, "select count(*) from capsules");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(Topics.PROPOSALS, id(capsules.get(i)), proposals.get(i)));
        }
        producer.flush();
        // Decisions need their capsule queued first (two topics, no order between them): a barrier on the queue.
        while (count(db, "select count(*) from capsules") < before + n) {
            Thread.sleep(5);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(Topics.DECISIONS, id(capsules.get(i)), decisions.get(2 * i)));
            producer.send(new ProducerRecord<>(Topics.DECISIONS, id(capsules.get(i)), decisions.get(2 * i + 1)));
        }
        producer.flush();
        int seen = 0;
        byte[] sample = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (seen < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + seen + " of " + n + " signed capsules within 20 minutes");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                seen++;
                sample = r.value();
            }
        }
        long t2 = System.nanoTime();
        double totalMs = (t2 - t0) / 1e6;
        return new Result(n / (totalMs / 1000.0), (t1 - t0) / 1e6, (t2 - t1) / 1e6, totalMs, sample);
    }

    /** The same-run Kafka reference: produce n records of the signed-capsule size, consume them all back. */
    private static double roundTrip(KafkaBroker broker, KafkaProducer<String, byte[]> producer, int n, byte[] value) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(broker, "bench.roundtrip")) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>("bench.roundtrip", Integer.toString(i), value));
            }
            producer.flush();
            int seen = 0;
            while (seen < n) {
                seen += consumer.poll(Duration.ofMillis(100)).count();
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            return n / (ms / 1000.0);
        }
    }

    private static void write(Path root, int n, Result s, double reference, int valueBytes, String infra)
            throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("capsules", n);
        params.put("decisionsPerCapsule", 2);
        params.put("tier", "T2 (2 approvals, 2 roles, ticket)");
        params.put("signedCapsuleBytes", valueBytes);
        params.put("proposalPhaseMs", round(s.proposalsMs()));
        params.put("decisionPhaseMs", round(s.decisionsMs()));
        params.put("totalMs", round(s.totalMs()));
        params.put("infrastructure", infra + " (single-node KRaft broker in the bench JVM, embedded PostgreSQL)");
        params.put("service", "approval-service quarkus-run.jar as a child process, default settings");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", "control-plane");
        out.put("metric", "proposal→signed-capsule throughput through approval-service (proposals + 2 decisions in, "
                + "signed capsules out), vs the same-run Kafka produce→consume round trip of the same record size");
        out.put("unit", "capsules/s");
        out.put("value", round(s.perSec()));
        out.put("reference", "kafka produce→consume round trip, records/s, same broker, same run");
        out.put("referenceValue", round(reference));
        out.put("ratio", Math.round(s.perSec() / reference * 10000.0) / 10000.0);
        out.put("throughputPerSec", round(s.perSec()));
        out.put("params", params);
        out.put("machine", String.format(Locale.ROOT, "%d cores, %d MiB max heap, %s %s, Java %s",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version")));
        out.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Path file = root.resolve("bench/results/control-plane.json");
        Files.createDirectories(file.getParent());
        Files.write(file, (new String(StrictJson.write(out), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        System.out.printf(Locale.ROOT, "control-plane: %.1f capsules/s through approval-service; Kafka round trip "
                + "%.1f records/s; ratio %.4f (proposals %.0f ms, decisions→signed %.0f ms) -> %s%n", s.perSec(),
                reference, s.perSec() / reference, s.proposalsMs(), s.decisionsMs(), file);
    }

    private static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }

    private static Policy policy(Instant now) {
        Policy std = PKI.policy(1);
        return new Policy(std.schema(), std.version(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)),
                std.root(), std.principals(), std.tiers(), std.environments());
    }

    private static byte[] proposal(Envelope capsule) {
        return ("{\"schema\":\"airlock.proposal/v1\",\"capsule\":" + new String(capsule.toJson(), StandardCharsets.UTF_8)
                + ",\"tier\":\"T2\",\"reachability\":{\"reachable\":true,\"path\":[\"internet\",\"payments-api\"]},"
                + "\"tierReasoning\":[\"reachable\"],\"summary\":\"bench\",\"findingId\":\"bench\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] approve(Envelope capsule, String id, String approver, String role, Instant now) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), id, approver, role, Approval.APPROVE,
                "CHG0012345", now, Approval.REVIEW);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), PKI.of(approver)).toJson();
    }

    private static String id(Envelope capsule) {
        try {
            return StrictJson.read(capsule.payloadBytes(), Capsule.class, StrictJson.SIGNED).capsuleId();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(PostgresServer db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // schema not migrated yet
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitReady(int port, JavaApp app) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("approval-service exited:\n" + app.logText());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("approval-service not ready within 5 minutes:\n" + app.logText());
    }

    private static KafkaProducer<String, byte[]> producer(KafkaBroker broker) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(KafkaBroker broker, String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = Arrays.asList(new TopicPartition(topic, 0));
        c.assign(parts);
        c.seekToEnd(parts);
        c.position(parts.get(0)); // resolve the end now, before anything is produced
        return c;
    }
}
