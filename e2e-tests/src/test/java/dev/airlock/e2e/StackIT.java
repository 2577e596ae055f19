package dev.airlock.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.deploy.stack.Ports;
import dev.airlock.deploy.stack.Processes;
import dev.airlock.deploy.stack.StackState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end check: {@code ./airlock up --demo} — the very launcher a user runs — starts the whole stack
 * into a fresh state directory on ports of its own, drives one remediation and one tampered capsule, and returns with
 * the stack running. While it runs, every process's sockets are inspected from {@code /proc} (plane isolation); then
 * the report, the workspace, the evidence, {@code status} and {@code down} are checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of(System.getProperty("airlock.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path HOME = Path.of(System.getProperty("airlock.e2e.home",
            ROOT.resolve("e2e-tests/target/airlock-home").toString())).toAbsolutePath().normalize();
    /** Below the kernel's ephemeral range, away from the standard ports: a developer's stack keeps running. */
    private static final int PORT_BASE = Integer.getInteger("airlock.e2e.portBase", 23400);

    private final Ports ports = Ports.fromBase(PORT_BASE);
    private final PlaneIsolation isolation = new PlaneIsolation(ports);
    private Run up;
    private JsonNode upJson;
    private final List<Long> pids = new ArrayList<>();

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
            return JSON.readTree(last);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AIRLOCK_HOME", HOME.toString());
        env.put("AIRLOCK_PORT_BASE", Integer.toString(PORT_BASE));
        // the reactor packaged every module just before this test; never start a nested build
        env.put("AIRLOCK_BUILD", "never");
        return env;
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("airlock").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().putAll(env());
        String name = logName(args);
        pb.redirectOutput(HOME.resolveSibling("e2e-" + name + ".out").toFile());
        pb.redirectError(HOME.resolveSibling("e2e-" + name + ".err").toFile());
        return pb.start();
    }

    private Run finish(Process p, String... args) throws IOException, InterruptedException {
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "airlock " + String.join(" ", args) + " did not finish");
        String name = logName(args);
        return new Run(p.exitValue(),
                Files.readString(HOME.resolveSibling("e2e-" + name + ".out"), StandardCharsets.UTF_8),
                Files.readString(HOME.resolveSibling("e2e-" + name + ".err"), StandardCharsets.UTF_8));
    }

    /** e2e-up-demo, e2e-status, e2e-evidence-verify: the command's words, without paths and option values. */
    private static String logName(String... args) {
        return String.join("-", java.util.Arrays.stream(args).filter(a -> a.matches("[a-z]+")).limit(2).toList());
    }

    private Run airlock(String... args) throws IOException, InterruptedException {
        return finish(start(args), args);
    }

    private Optional<StackState> state() {
        try {
            return StackState.read(HOME.resolve("stack.json"));
        } catch (IOException e) {
            return Optional.empty(); // being rewritten
        }
    }

    @BeforeAll
    void upDemo() throws Exception {
        Files.createDirectories(HOME.getParent());
        if (Files.exists(HOME.resolve("stack.json"))) {
            airlock("down"); // a previous run that did not get to its own down
        }
        if (Files.exists(HOME)) {
            try (Stream<Path> s = Files.walk(HOME)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Process p = start("up", "--demo");
        // Inspect sockets for as long as the flow runs: connections made mid-flow count as much as idle ones.
        while (p.isAlive()) {
            state().ifPresent(s -> {
                isolation.inspect(s);
                s.processes().forEach(x -> {
                    if (!pids.contains(x.pid())) {
                        pids.add(x.pid());
                    }
                });
            });
            p.waitFor(1, TimeUnit.SECONDS);
        }
        up = finish(p, "up", "--demo");
        upJson = up.json();
    }

    @AfterAll
    void downIfStillRunning() throws Exception {
        if (state().map(s -> !s.processes().isEmpty()).orElse(false)) {
            airlock("down");
        }
    }

    @Test
    @Order(1)
    void upDemoReturnsWithTheReport() throws IOException {
        assertEquals(0, up.exit(), up::toString);
        assertEquals("healthy", upJson.path("stack").asText(), up::toString);
        JsonNode demo = upJson.path("demo");
        assertTrue(demo.path("ok").asBoolean(), up::toString);
        assertEquals("T2", demo.path("tier").asText());
        List<String> path = new ArrayList<>();
        demo.path("reachability").forEach(n -> path.add(n.asText()));
        assertEquals("internet", path.get(0), path::toString);
        assertTrue(path.contains("api-gateway") && path.contains("payments-api"), path::toString);
        assertTrue(path.get(path.size() - 1).contains("log4j-core"), path::toString);
        assertEquals("alice", demo.at("/approvers/0/approver").asText());
        assertEquals("approval page", demo.at("/approvers/0/via").asText());
        assertEquals("bob", demo.at("/approvers/1/approver").asText());
        assertEquals("airlock CLI", demo.at("/approvers/1/via").asText());
        assertEquals("admitted", demo.path("admission").asText());
        assertEquals(List.of("sh", "validate.sh"), List.of(demo.at("/validation/0/argv/0").asText(),
                demo.at("/validation/0/argv/1").asText()));
        assertEquals(0, demo.at("/validation/0/exitCode").asInt(-1));
        assertEquals("APPLIED", demo.path("outcome").asText());
        assertTrue(demo.at("/rollback/rehearsed").asBoolean());
        assertTrue(demo.at("/rollback/restoredMatchesBefore").asBoolean());
        assertTrue(demo.at("/rollback/reappliedMatchesAfter").asBoolean());
        assertEquals("verified", demo.at("/evidence/proofVerdict").asText());
        assertTrue(demo.at("/evidence/treeSize").asLong() > demo.at("/evidence/logIndex").asLong());
        assertEquals("SIGNATURE_INVALID", demo.at("/tampered/reason").asText(), up::toString);
        assertEquals("REJECTED", demo.at("/tampered/evidenceOutcome").asText());
        assertEquals("gateway.enclave-1", demo.at("/tampered/signer").asText());
        assertEquals("http://127.0.0.1:" + ports.approval() + "/capsules/" + demo.path("capsuleId").asText(),
                demo.path("approvalPage").asText());
        assertEquals("http://127.0.0.1:" + ports.evidence() + "/", demo.path("evidenceDashboard").asText());
        // the human report on stderr says the same
        for (String label : List.of("Airlock demo report", "capsule", "reachability", "approvers", "admission",
                "validation", "outcome", "rollback", "evidence", "tampered", "approval page")) {
            assertTrue(up.err().contains(label), () -> label + " missing from the report:\n" + up.err());
        }
        assertTrue(up.err().contains("SIGNATURE_INVALID"), up::toString);
    }

    @Test
    @Order(2)
    void theWorkspaceHoldsTheFixAndTheMirrorIsUntouched() throws IOException {
        String workspace = Files.readString(HOME.resolve("demo/enclave/payments-api/pom.xml"));
        String mirror = Files.readString(HOME.resolve("demo/mirror/payments-api/pom.xml"));
        assertTrue(workspace.contains("<version>2.17.1</version>"), workspace);
        assertFalse(workspace.contains("2.14.1"), workspace);
        assertTrue(mirror.contains("<version>2.14.1</version>"), "the planner reads the mirror, never writes it");
    }

    @Test
    @Order(3)
    void theLoggedEvidenceVerifiesWithTheSitePolicy() throws Exception {
        TrustedPolicy policy = new PolicyTrust(Clock.systemUTC()).accept(
                Files.readAllBytes(HOME.resolve("site/policy-v1.dsse.json")), Optional.empty(), new InMemoryPolicyStore())
                .policy();
        Path run;
        try (Stream<Path> runs = Files.list(HOME.resolve("demo/runs"))) {
            run = runs.max(Comparator.naturalOrder()).orElseThrow();
        }
        EvidenceBundles.Verified v = EvidenceBundles.verify(Files.readAllBytes(run.resolve("evidence.dsse.json")), policy);
        assertEquals("runner.edge-7", v.signer());
        assertEquals("APPLIED", v.statement().predicate().outcome());
        assertEquals(upJson.at("/demo/capsuleDigest").asText(), v.statement().capsuleDigest());
        // and with the command a user would run
        Run verify = airlock("evidence", "verify", "--bundle", run.resolve("evidence.dsse.json").toString(),
                "--policy", HOME.resolve("site/policy-v1.dsse.json").toString());
        assertEquals(0, verify.exit(), verify::toString);
        assertEquals("verified", verify.json().path("verdict").asText());
    }

    @Test
    @Order(4)
    void noEnclaveProcessHasAConnectionOrListenerTowardsTheControlPlane() {
        StackState s = state().orElseThrow();
        isolation.inspect(s); // once more, at rest
        for (String name : List.of("kafka-enclave", "postgres-enclave", "diode-receive", "gateway-service",
                "runner-service", "evidence-service", "kafka-control", "approval-service", "diode-send")) {
            assertTrue(isolation.inspected.getOrDefault(name, 0) > 1, () -> name + " was not inspected: "
                    + isolation.inspected);
        }
        assertEquals(List.of(), isolation.violations);
    }

    @Test
    @Order(5)
    void statusShowsEveryProcessHealthy() throws Exception {
        Run status = airlock("status");
        assertEquals(0, status.exit(), status::toString);
        JsonNode j = status.json();
        assertTrue(j.path("healthy").asBoolean(), status::toString);
        List<String> names = new ArrayList<>();
        j.path("processes").forEach(p -> {
            names.add(p.path("name").asText());
            assertTrue(p.path("alive").asBoolean() && p.path("healthy").asBoolean(), p::toString);
            assertTrue(p.path("rssBytes").asLong() > 0, p::toString);
            // PSS splits shared pages among their sharers: never more than the summed resident sets
            assertTrue(p.path("pssBytes").asLong() > 0 && p.path("pssBytes").asLong() <= p.path("rssBytes").asLong(),
                    p::toString);
        });
        assertEquals(List.of("kafka-control", "kafka-enclave", "postgres-control", "postgres-enclave", "planner-service",
                "approval-service", "diode-send", "diode-receive", "gateway-service", "runner-service",
                "evidence-service"), names);
        assertTrue(status.err().contains("all healthy"), status::toString);
    }

    @Test
    @Order(6)
    void downStopsEverythingAndIsIdempotent() throws Exception {
        Run down = airlock("down");
        assertEquals(0, down.exit(), down::toString);
        assertFalse(pids.isEmpty());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), () -> "pid " + pid + " alive");
        }
        assertFalse(Files.exists(HOME.resolve("stack.json")));
        Run again = airlock("down");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.err().contains("nothing to stop"), again::toString);
        Run status = airlock("status");
        assertEquals(3, status.exit(), status::toString);
        // The data stays for the next up.
        assertTrue(Files.isDirectory(HOME.resolve("data/kafka-enclave")));
        assertTrue(Processes.tail(HOME.resolve("logs/gateway-service.log"), 1).size() == 1);
    }
}
