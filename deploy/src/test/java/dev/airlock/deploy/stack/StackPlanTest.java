package dev.airlock.deploy.stack;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated configuration wires each plane to its own broker and database only, gives each process only its own
 * principal's private key, and joins the planes through the diode's UDP port alone.
 */
class StackPlanTest {
    @TempDir
    Path root;
    private StackSettings settings;
    private Site site;

    @BeforeEach
    void checkout() throws Exception {
        Files.createDirectories(root.resolve("deploy/target/lib"));
        Files.writeString(root.resolve("deploy/pom.xml"), "<project/>");
        Files.writeString(root.resolve("deploy/target/deploy-0.1.0-SNAPSHOT.jar"), "");
        for (String s : Artifacts.SERVICES) {
            Files.createDirectories(root.resolve(s + "/target/quarkus-app"));
            Files.writeString(root.resolve(s + "/target/quarkus-app/quarkus-run.jar"), "");
        }
        Files.createDirectories(root.resolve("diode-bridge/target/lib"));
        Files.writeString(root.resolve("diode-bridge/target/diode-bridge-0.1.0-SNAPSHOT.jar"), "");
        settings = StackSettings.fromEnvironment(Map.of("AIRLOCK_ROOT", root.toString()));
        site = Site.ensure(settings.site(), Clock.systemUTC()).site();
    }

    private Properties config(ProcessSpec p) throws Exception {
        Path file = p.name().startsWith("diode-") ? settings.run(p.name()).resolve("diode.properties")
                : settings.run(p.name()).resolve("config/application.properties");
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        return props;
    }

    @Test
    void everyServiceIsItsOwnProcessOnItsOwnPlane() throws Exception {
        List<ProcessSpec> specs = new StackPlan(settings, site).processes();
        assertEquals(List.of("kafka-control", "kafka-enclave", "postgres-control", "postgres-enclave", "planner-service",
                "approval-service", "diode-send", "diode-receive", "gateway-service", "runner-service", "evidence-service"),
                specs.stream().map(ProcessSpec::name).toList());
        Ports p = settings.ports();
        for (ProcessSpec s : specs) {
            if (s.name().startsWith("kafka-") || s.name().startsWith("postgres-")) {
                continue;
            }
            String text = Files.readString(s.name().startsWith("diode-") ? settings.run(s.name()).resolve("diode.properties")
                    : settings.run(s.name()).resolve("config/application.properties"));
            boolean enclave = s.plane() == Plane.ENCLAVE;
            for (int port : enclave ? p.controlPlaneTcp() : p.enclaveTcp()) {
                assertFalse(text.contains(":" + port), s.name() + " is configured with the other plane's port " + port);
            }
            Properties c = config(s);
            assertEquals(enclave ? p.enclaveBootstrap() : p.controlBootstrap(), c.getProperty("kafka.bootstrap.servers"),
                    s.name());
            // Key custody: a process is given its own principal's private key and nobody else's.
            List<String> keys = text.lines().filter(l -> l.contains(".key.pem")).map(l -> l.replaceAll("^.*/", "")).toList();
            List<String> expected = switch (s.name()) {
                case "planner-service" -> List.of(Site.FLEET + ".key.pem");
                case "diode-send" -> List.of(Site.BRIDGE + ".key.pem");
                case "gateway-service" -> List.of(Site.GATEWAY + ".key.pem");
                case "runner-service" -> List.of(Site.RUNNER + ".key.pem");
                case "evidence-service" -> List.of(Site.EVIDENCE + ".key.pem");
                default -> List.of();
            };
            assertEquals(expected, keys, s.name());
        }
    }

    @Test
    void theDiodeIsTheOnlyLink() throws Exception {
        List<ProcessSpec> specs = new StackPlan(settings, site).processes();
        Properties send = config(specs.stream().filter(s -> s.name().equals("diode-send")).findFirst().orElseThrow());
        Properties receive = config(specs.stream().filter(s -> s.name().equals("diode-receive")).findFirst().orElseThrow());
        assertEquals("127.0.0.1:" + settings.ports().diode(), send.getProperty("send.target"));
        assertEquals("127.0.0.1:" + settings.ports().diode(), receive.getProperty("receive.listen"));
        assertEquals("airlock.capsules.signed.v1,airlock.policy.signed.v1", send.getProperty("send.topics"));
        assertEquals(null, receive.getProperty("send.target"));
    }

    @Test
    void servicesGetTheSiteAndTheirOwnSettings() throws Exception {
        List<ProcessSpec> specs = new StackPlan(settings, site).processes();
        Properties gateway = config(specs.get(8));
        assertEquals("prod-enclave-1", gateway.getProperty("airlock.gateway.environment"));
        assertEquals(site.policyEnvelopeFile().toString(), gateway.getProperty("airlock.gateway.initial-policy"));
        assertEquals(null, gateway.getProperty("quarkus.http.port"), "the gateway has no HTTP port");
        Properties runner = config(specs.get(9));
        assertEquals(site.publicKey(Site.GATEWAY).toString(), runner.getProperty("airlock.runner.gateway-public-key"));
        assertEquals(settings.demo().resolve("enclave/payments-api").toString(),
                runner.getProperty("airlock.runner.workspaces.\"payments-api\""));
        assertTrue(runner.getProperty("airlock.runner.status-file").endsWith("status.json"));
        Properties approval = config(specs.get(5));
        assertEquals(site.password(Site.ALICE), approval.getProperty("quarkus.security.users.embedded.users.alice"));
        assertEquals(Map.of("AIRLOCK_LOCAL_PASSWORD", site.password(Site.LOCAL_USERS)), specs.get(5).env());
        assertEquals(null, approval.getProperty("airlock.approval.auto-key"), "nothing is auto-approved on this site");
        Properties evidence = config(specs.get(10));
        assertEquals("127.0.0.1", evidence.getProperty("quarkus.http.host"));
        assertEquals(Integer.toString(settings.ports().evidence()), evidence.getProperty("quarkus.http.port"));
    }

    @Test
    void theUsersOverridesAreAppendedAndWin() throws Exception {
        Files.createDirectories(settings.override("planner-service").getParent());
        Files.writeString(settings.override("planner-service"), "quarkus.log.level=DEBUG\nquarkus.http.port=9999\n");
        List<ProcessSpec> specs = new StackPlan(settings, site).processes();
        Properties planner = config(specs.get(4));
        assertEquals("DEBUG", planner.getProperty("quarkus.log.level"));
        assertEquals("9999", planner.getProperty("quarkus.http.port"));
    }

    /**
     * The groups the launcher cleans of stale members before a service starts are exactly the ones that service joins:
     * the group.id of each incoming channel in its packaged application.properties, with the ids this stack configures.
     */
    @Test
    void consumerGroupsAreTheOnesEachServiceJoins() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent(); // surefire runs in deploy/
        for (ProcessSpec s : new StackPlan(settings, site).processes()) {
            if (!Artifacts.SERVICES.contains(s.name())) {
                continue;
            }
            Properties packaged = new Properties();
            try (var r = Files.newBufferedReader(repo.resolve(s.name() + "/src/main/resources/application.properties"),
                    StandardCharsets.UTF_8)) {
                packaged.load(r);
            }
            java.util.Set<String> joined = new java.util.TreeSet<>();
            for (String k : packaged.stringPropertyNames()) {
                if (k.startsWith("mp.messaging.incoming.") && k.endsWith(".group.id")) {
                    joined.add(packaged.getProperty(k)
                            .replaceAll("\\$\\{airlock\\.runner\\.id:[^}]*}", Site.RUNNER)
                            .replaceAll("\\$\\{airlock\\.gateway\\.id:[^}]*}", Site.GATEWAY));
                }
            }
            assertEquals(joined, new java.util.TreeSet<>(s.consumerGroups()), s.name());
        }
    }
}
