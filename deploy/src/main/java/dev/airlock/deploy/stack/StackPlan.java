package dev.airlock.deploy.stack;

import dev.airlock.core.events.Topics;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The processes of the local stack and the configuration each one gets. Every service is its own JVM with its own
 * generated configuration file under {@code .airlock/run/<name>/}; the two planes share nothing but the diode's UDP
 * port: control processes get only the control broker and database, enclave processes only the enclave ones.
 */
public final class StackPlan {
    /** {@code fetch.max.wait.ms} of every service consumer (see {@code quarkusCommon}). */
    static final int IDLE_FETCH_WAIT_MS = 5_000;
    /**
     * Sized for a 2-core machine and the 3 GiB RSS budget for the whole stack. The PostgreSQL node needs its
     * heap only once, to unpack the server binaries (an xz stream with a large dictionary); afterwards it idles.
     */
    static final List<String> KAFKA_JVM = List.of("-Xms128m", "-Xmx448m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=48m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
    static final List<String> PG_NODE_JVM = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=16m", "-Xss512k");
    static final List<String> SERVICE_JVM = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:MaxMetaspaceSize=160m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
    /**
     * The runner starts a process chain per validation step ({@code setsid}, {@code unshare -n}, the step's argv).
     * With the JDK's default {@code POSIX_SPAWN} every start also execs its {@code jspawnhelper}; {@code VFORK} (the
     * JDK's default on Linux until 12) saves that exec, 2.7 ms of CPU per step measured here on a Firecracker VM.
     */
    static final List<String> RUNNER_EXTRA_JVM = List.of("-Djdk.lang.Process.launchMechanism=VFORK");
    static final List<String> DIODE_JVM = List.of("-Xms32m", "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=48m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");

    /** Capsules are at most 4 MiB (policy {@code maxCapsuleBytes}); base64 inside JSON and headers grow them. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    public static final List<String> CONTROL_DATABASES = List.of("planner", "approval");
    public static final List<String> ENCLAVE_DATABASES = List.of("gateway", "evidence");

    public static final String DIODE_STREAM = "diode-1";
    public static final String BENCH_REPOSITORY = "bench";
    /** The runner works one capsule at a time per workspace; the bench spreads its load over this many. */
    public static final int BENCH_WORKSPACES = 8;
    /** The runner's consumer group (runner-service.${airlock.runner.id} in its application.properties). */
    static final String RUNNER_GROUP = "runner-service." + Site.RUNNER;

    private final StackSettings s;
    private final Artifacts artifacts;
    private final Site site;

    public StackPlan(StackSettings settings, Site site) {
        this.s = settings;
        this.artifacts = new Artifacts(settings.root());
        this.site = site;
    }

    public Artifacts artifacts() {
        return artifacts;
    }

    /** Every process, in start order. */
    public List<ProcessSpec> processes() throws IOException {
        List<ProcessSpec> list = new ArrayList<>();
        Ports p = s.ports();
        String cp = artifacts.deployClasspath();
        list.add(kafka("kafka-control", Plane.CONTROL, p.controlKafka(), p.controlKafkaController(), cp));
        list.add(kafka("kafka-enclave", Plane.ENCLAVE, p.enclaveKafka(), p.enclaveKafkaController(), cp));
        if (s.controlDb().embedded()) {
            list.add(postgres("postgres-control", Plane.CONTROL, s.controlDb(), CONTROL_DATABASES, cp));
        }
        if (s.enclaveDb().embedded()) {
            list.add(postgres("postgres-enclave", Plane.ENCLAVE, s.enclaveDb(), ENCLAVE_DATABASES, cp));
        }
        list.add(planner());
        list.add(approval());
        artifacts.diodeJar().ifPresent(jar -> {
            list.add(diodeSend(jar));
            list.add(diodeReceive(jar));
        });
        list.add(gateway());
        list.add(runner());
        list.add(evidence());
        return list;
    }

    private ProcessSpec kafka(String name, Plane plane, int port, int controllerPort, String cp) {
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java().toString());
        cmd.addAll(KAFKA_JVM);
        cmd.addAll(List.of("-cp", cp, "dev.airlock.deploy.KafkaNode", s.data().resolve(name).toString(),
                Integer.toString(port), Integer.toString(controllerPort)));
        String bootstrap = "127.0.0.1:" + port;
        return new ProcessSpec(name, plane, "Apache Kafka " + plane.label() + " broker (KRaft, single node)", 0, cmd,
                Map.of(), s.run(name), s.log(name), List.of(port, controllerPort),
                (start, offset) -> new HealthCheck.KafkaCluster(bootstrap));
    }

    private ProcessSpec postgres(String name, Plane plane, PostgresTarget db, List<String> databases, String cp) {
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java().toString());
        cmd.addAll(PG_NODE_JVM);
        cmd.addAll(List.of("-cp", cp, "dev.airlock.deploy.PostgresNode", s.data().resolve(name).toString(),
                Integer.toString(db.port()), String.join(",", databases)));
        return new ProcessSpec(name, plane, "PostgreSQL " + plane.label() + " (embedded, databases "
                + String.join(", ", databases) + ")", 0, cmd, Map.of(), s.run(name), s.log(name), List.of(db.port()),
                (start, offset) -> new HealthCheck.Postgres(db, databases));
    }

    // ---- control plane ----

    private ProcessSpec planner() throws IOException {
        Map<String, String> c = quarkusCommon(s.ports().controlBootstrap(), s.ports().planner());
        datasource(c, s.controlDb(), "planner");
        poolSize(c, "reactive", 4);
        c.put("airlock.planner.fleet-id", Site.FLEET);
        c.put("airlock.planner.fleet-key", site.privateKey(Site.FLEET).toString());
        c.put("airlock.planner.initial-policy", site.policyEnvelopeFile().toString());
        c.put("airlock.planner.repositories.\"payments-api\"", s.demo().resolve("mirror/payments-api").toString());
        return quarkus("planner-service", Plane.CONTROL, "planner: findings in, tiered signed capsule proposals out", c,
                s.ports().planner(), Map.of(), List.of("planner-service"));
    }

    private ProcessSpec approval() throws IOException {
        Map<String, String> c = quarkusCommon(s.ports().controlBootstrap(), s.ports().approval());
        datasource(c, s.controlDb(), "approval");
        poolSize(c, "jdbc", 6);
        c.put("airlock.approval.initial-policy", site.policyEnvelopeFile().toString());
        // Nothing is auto-approved on this site: no airlock.approval.auto-key.
        // The properties realm of the local stack: alice and bob get their own random passwords (site/users.properties),
        // the service's other built-in local users a random one too (AIRLOCK_LOCAL_PASSWORD), never a default.
        for (String u : List.of(Site.ALICE, Site.BOB)) {
            c.put("quarkus.security.users.embedded.users." + u, site.password(u));
        }
        c.put("quarkus.http.auth.session.encryption-key", site.password(Site.SESSION_KEY));
        return quarkus("approval-service", Plane.CONTROL, "approval: queue, approval page, signed capsules out", c,
                s.ports().approval(), Map.of("AIRLOCK_LOCAL_PASSWORD", site.password(Site.LOCAL_USERS)),
                List.of("approval-service"));
    }

    private ProcessSpec diodeSend(Path jar) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("stream", DIODE_STREAM);
        c.put("bridge.id", Site.BRIDGE);
        c.put("heartbeat.key-file", site.privateKey(Site.BRIDGE).toString());
        c.put("send.target", "127.0.0.1:" + s.ports().diode());
        c.put("send.topics", Topics.CAPSULES_SIGNED + "," + Topics.POLICY_SIGNED);
        c.put("send.journal-dir", s.run("diode-send").resolve("journal").toString());
        c.put("kafka.bootstrap.servers", s.ports().controlBootstrap());
        String group = "airlock-diode-bridge"; // the sender's default send.group-id
        return diode("diode-send", Plane.CONTROL, "diode sender: signed capsules and policies out as one-way UDP", jar,
                "send", c, (start, offset) -> new HealthCheck.ConsumerGroup(s.ports().controlBootstrap(), group),
                List.of(group));
    }

    // ---- enclave ----

    private ProcessSpec diodeReceive(Path jar) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("stream", DIODE_STREAM);
        c.put("receive.listen", "127.0.0.1:" + s.ports().diode());
        c.put("receive.state-dir", s.run("diode-receive").resolve("state").toString());
        c.put("receive.max-pending-bytes", Long.toString(64L * 1024 * 1024));
        c.put("receive.queue-datagrams", "16384");
        c.put("kafka.bootstrap.servers", s.ports().enclaveBootstrap());
        return diode("diode-receive", Plane.ENCLAVE, "diode receiver: UDP in, airlock.inbound.v1 out (never sends)", jar,
                "receive", c, (start, offset) -> new HealthCheck.DiodeCrossing(s.ports().enclaveBootstrap(),
                        Topics.DIODE_HEALTH, start), List.of());
    }

    private ProcessSpec gateway() throws IOException {
        Map<String, String> c = quarkusCommon(s.ports().enclaveBootstrap(), 0);
        datasource(c, s.enclaveDb(), "gateway");
        c.put("airlock.gateway.id", Site.GATEWAY);
        c.put("airlock.gateway.key", site.privateKey(Site.GATEWAY).toString());
        c.put("airlock.gateway.environment", Site.ENVIRONMENT);
        c.put("airlock.gateway.initial-policy", site.policyEnvelopeFile().toString());
        c.put("airlock.gateway.status-file", s.run("gateway-service").resolve("status.json").toString());
        c.put("airlock.gateway.metrics-file", s.run("gateway-service").resolve("metrics/gateway.prom").toString());
        return quarkus("gateway-service", Plane.ENCLAVE, "gateway: admission (no listening port)", c, 0, Map.of(),
                List.of("gateway-service", "gateway-service.health." + Site.GATEWAY));
    }

    private ProcessSpec runner() throws IOException {
        Map<String, String> c = quarkusCommon(s.ports().enclaveBootstrap(), 0);
        c.put("airlock.runner.id", Site.RUNNER);
        c.put("airlock.runner.key", site.privateKey(Site.RUNNER).toString());
        c.put("airlock.runner.environment", Site.ENVIRONMENT);
        c.put("airlock.runner.gateway-public-key", site.publicKey(Site.GATEWAY).toString());
        c.put("airlock.runner.workspaces.\"payments-api\"", s.demo().resolve("enclave/payments-api").toString());
        // airlock bench's own workspaces (one runner lane each): its capsules never touch the demo's
        for (int i = 0; i < BENCH_WORKSPACES; i++) {
            c.put("airlock.runner.workspaces.\"" + BENCH_REPOSITORY + "-" + i + "\"",
                    s.home().resolve("bench/workspace-" + i).toString());
        }
        c.put("airlock.runner.state-dir", s.run("runner-service").resolve("state").toString());
        c.put("airlock.runner.status-file", s.run("runner-service").resolve("status.json").toString());
        c.put("airlock.runner.metrics-file", s.run("runner-service").resolve("metrics/runner.prom").toString());
        return quarkus("runner-service", Plane.ENCLAVE, "runner: apply, validate, rollback rehearsal (no listening port)",
                c, RUNNER_EXTRA_JVM, 0, Map.of(), List.of(RUNNER_GROUP));
    }

    private ProcessSpec evidence() throws IOException {
        Map<String, String> c = quarkusCommon(s.ports().enclaveBootstrap(), s.ports().evidence());
        datasource(c, s.enclaveDb(), "evidence");
        poolSize(c, "reactive", 6);
        poolSize(c, "jdbc", 2); // Flyway at start
        c.put("airlock.evidence.id", Site.EVIDENCE);
        c.put("airlock.evidence.key", site.privateKey(Site.EVIDENCE).toString());
        c.put("airlock.evidence.initial-policy", site.policyEnvelopeFile().toString());
        c.put("airlock.evidence.checkpoint-interval", "PT10S");
        return quarkus("evidence-service", Plane.ENCLAVE, "evidence: bundles, Merkle log, dashboard", c,
                s.ports().evidence(), Map.of(), List.of("evidence-service", "evidence-service-policy"));
    }

    // ---- helpers ----

    private static Map<String, String> quarkusCommon(String bootstrap, int httpPort) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("kafka.bootstrap.servers", bootstrap);
        // Default for every channel of the SmallRye Kafka connector: capsules up to 4 MiB, base64-encoded.
        c.put("kafka.max.request.size", Integer.toString(MAX_MESSAGE_BYTES));
        c.put("kafka.max.partition.fetch.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        // The broker answers a fetch as soon as a record arrives (fetch.min.bytes 1): the wait bounds only empty
        // fetches, so a longer one costs no latency. Kafka's 500 ms had every idle consumer of the stack (about 15)
        // and its broker exchange two empty fetches a second, a tenth of a core on this two-core stack at rest.
        c.put("kafka.fetch.max.wait.ms", Integer.toString(IDLE_FETCH_WAIT_MS));
        if (httpPort > 0) {
            c.put("quarkus.http.host", "127.0.0.1");
            c.put("quarkus.http.port", Integer.toString(httpPort));
        }
        return c;
    }

    /**
     * A smaller connection pool than the service's packaged default (planner and evidence 20 reactive connections,
     * approval 16 JDBC): this stack shares two cores, and each connection is a PostgreSQL backend of its own, 14 to
     * 40 MB of resident set once it has run a few queries. The gateway keeps its own (8 reactive, 2 JDBC).
     */
    private static void poolSize(Map<String, String> c, String pool, int max) {
        c.put("quarkus.datasource." + pool + ".max-size", Integer.toString(max));
    }

    private static void datasource(Map<String, String> c, PostgresTarget db, String database) {
        c.put("quarkus.datasource.db-kind", "postgresql");
        c.put("quarkus.datasource.username", db.user());
        c.put("quarkus.datasource.password", db.password());
        c.put("quarkus.datasource.reactive.url", db.reactiveUrl(database));
        c.put("quarkus.datasource.jdbc.url", db.jdbcUrl(database));
    }

    /**
     * A Quarkus service. {@code groups}: its consumer groups, as its application.properties name them (group.id of
     * each incoming channel), on its plane's broker.
     */
    private ProcessSpec quarkus(String name, Plane plane, String what, Map<String, String> config, int httpPort,
                                Map<String, String> env, List<String> groups) throws IOException {
        return quarkus(name, plane, what, config, List.of(), httpPort, env, groups);
    }

    /** {@code extraJvm}: options for this service's JVM after the common {@link #SERVICE_JVM}. */
    private ProcessSpec quarkus(String name, Plane plane, String what, Map<String, String> config,
                                List<String> extraJvm, int httpPort, Map<String, String> env, List<String> groups)
            throws IOException {
        Path run = s.run(name);
        writeConfig(name, run.resolve("config/application.properties"), config,
                "Quarkus reads ./config/application.properties from its working directory, over the packaged defaults.");
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java().toString());
        cmd.addAll(SERVICE_JVM);
        cmd.addAll(extraJvm);
        cmd.add("-Djava.io.tmpdir=" + run.resolve("tmp"));
        Files.createDirectories(run.resolve("tmp"));
        cmd.addAll(List.of("-jar", artifacts.quarkusRunJar(name).toString()));
        ProcessSpec.Health health;
        if (httpPort > 0) {
            URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
            health = (start, offset) -> new HealthCheck.Http(ready);
        } else {
            // Port-less by design (ARCHITECTURE §1 invariant 2): its status file says READY (when this build writes
            // one), and it is a stable member of its consumer group.
            String group = groups.get(0);
            Path status = run.resolve("status.json");
            health = (start, offset) -> new HealthCheck.AllOf(List.of(
                    new HealthCheck.LogLine(s.log(name), offset, Pattern.compile("started in [0-9.]+s"), "Quarkus started"),
                    new HealthCheck.StatusFile(status, start),
                    new HealthCheck.ConsumerGroup(s.ports().enclaveBootstrap(), group)));
        }
        return new ProcessSpec(name, plane, what, 1, cmd, env, run, s.log(name),
                httpPort > 0 ? List.of(httpPort) : List.of(), health, groups);
    }

    private ProcessSpec diode(String name, Plane plane, String what, Path jar, String command, Map<String, String> config,
                              ProcessSpec.Health health, List<String> groups) {
        Path run = s.run(name);
        Path file = run.resolve("diode.properties");
        try {
            writeConfig(name, file, config, "diode-bridge --config " + file + " " + command);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java().toString());
        cmd.addAll(DIODE_JVM);
        cmd.addAll(List.of("-jar", jar.toString(), "--config", file.toString(), command));
        List<Integer> ports = List.of();
        return new ProcessSpec(name, plane, what, 1, cmd, Map.of(), run, s.log(name), ports, health, groups);
    }

    /** Writes the generated configuration, then the user's own overrides (which win: later keys replace earlier). */
    private void writeConfig(String name, Path file, Map<String, String> config, String note) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Generated by airlock up for ").append(name).append(" (rewritten on every up; put your own settings in\n");
        sb.append("# ").append(s.override(name)).append(", which is appended below).\n# ").append(note).append('\n');
        config.forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
        Path override = s.override(name);
        if (Files.isRegularFile(override)) {
            sb.append("\n# ---- ").append(override).append(" ----\n");
            sb.append(Files.readString(override, StandardCharsets.UTF_8)).append('\n');
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** Properties-file escaping for values (paths, passwords): backslashes and leading spaces. */
    static String escape(String v) {
        String e = v.replace("\\", "\\\\");
        if (e.startsWith(" ")) {
            e = "\\" + e;
        }
        return e;
    }

    public String summary() {
        return String.format(Locale.ROOT, "%s", s.describePorts());
    }
}
