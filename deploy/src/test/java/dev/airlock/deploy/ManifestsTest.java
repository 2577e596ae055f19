package dev.airlock.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Compose and Kubernetes manifests parse, and say what the security model says: two planes that share nothing but
 * the diode, and least-privilege Kafka principals (only the diode receiver writes {@code airlock.inbound.v1}, only the
 * gateway writes admissions, nothing in the enclave can write a control-plane topic). They are not run on a real
 * engine or cluster here; these are the properties a reviewer would check by hand.
 */
class ManifestsTest {
    private static final Path DEPLOY = Path.of(System.getProperty("user.dir"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Set<String> CONTROL_SERVICES = Set.of("kafka-control", "kafka-control-acls", "postgres-control",
            "planner-service", "approval-service");
    private static final Set<String> ENCLAVE_SERVICES = Set.of("kafka-enclave", "kafka-enclave-acls", "postgres-enclave",
            "gateway-service", "runner-service", "evidence-service");

    /**
     * Every document of a YAML file. SnakeYAML resolves anchors and merge keys ({@code <<: *service}) as Compose
     * does; Jackson then gives a tree to query.
     */
    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setAllowDuplicateKeys(false);
        org.yaml.snakeyaml.Yaml yaml = new org.yaml.snakeyaml.Yaml(options);
        for (Object d : yaml.loadAll(Files.readString(file, StandardCharsets.UTF_8))) {
            if (d != null) {
                docs.add(JSON.valueToTree(d));
            }
        }
        return docs;
    }

    // ---------------------------------------------------------------- Compose

    private static JsonNode compose() throws IOException {
        List<JsonNode> docs = documents(DEPLOY.resolve("compose/compose.yaml"));
        assertEquals(1, docs.size());
        return docs.get(0);
    }

    private static Set<String> networksOf(JsonNode service) {
        Set<String> n = new TreeSet<>();
        JsonNode nets = service.path("networks");
        if (nets.isArray()) {
            nets.forEach(x -> n.add(x.asText()));
        } else {
            nets.fieldNames().forEachRemaining(n::add);
        }
        return n;
    }

    @Test
    void composeHasTwoPlanesJoinedOnlyByTheDiode() throws IOException {
        JsonNode c = compose();
        JsonNode nets = c.path("networks");
        assertFalse(nets.path("control").path("internal").asBoolean(false), "control may reach out (approval page)");
        assertTrue(nets.path("enclave").path("internal").asBoolean(false), "the enclave network has no route out");
        assertTrue(nets.path("diode").path("internal").asBoolean(false), "the diode network has no route out");

        Set<String> seen = new HashSet<>();
        c.path("services").fields().forEachRemaining(e -> {
            String name = e.getKey();
            Set<String> n = networksOf(e.getValue());
            seen.add(name);
            if (CONTROL_SERVICES.contains(name)) {
                assertEquals(Set.of("control"), n, name);
            } else if (ENCLAVE_SERVICES.contains(name)) {
                assertEquals(Set.of("enclave"), n, name);
                assertTrue(e.getValue().path("ports").isMissingNode(), name + " publishes no port");
            } else if (name.equals("diode-send")) {
                assertEquals(Set.of("control", "diode"), n, name);
            } else if (name.equals("diode-receive")) {
                assertEquals(Set.of("enclave", "diode"), n, name);
                assertTrue(e.getValue().path("ports").isMissingNode(), name + " publishes no port");
            } else {
                throw new AssertionError("service " + name + " belongs to no plane");
            }
        });
        Set<String> all = new HashSet<>(CONTROL_SERVICES);
        all.addAll(ENCLAVE_SERVICES);
        all.addAll(Set.of("diode-send", "diode-receive"));
        assertEquals(all, seen);
        // The diode sender sends to the receiver's datagram port; nothing is addressed the other way.
        assertEquals("diode-receive:19500", c.at("/services/diode-send/environment/AIRLOCK_DIODE_SEND_TARGET").asText());
        assertTrue(c.at("/services/diode-receive/environment/AIRLOCK_DIODE_SEND_TARGET").isMissingNode());
    }

    /** {@code user_NAME=} entries of a broker's PLAIN JAAS configuration: the principals that exist on it. */
    private static Set<String> brokerUsers(JsonNode broker) {
        String jaas = broker.at("/environment/KAFKA_LISTENER_NAME_SASL__PLAINTEXT_PLAIN_SASL_JAAS_CONFIG").asText();
        Set<String> users = new TreeSet<>();
        Matcher m = Pattern.compile("user_([a-z-]+)=").matcher(jaas);
        while (m.find()) {
            users.add(m.group(1));
        }
        return users;
    }

    @Test
    void composeKafkaHasOnePrincipalPerServiceAndDeniesByDefault() throws IOException {
        JsonNode c = compose();
        for (String broker : List.of("kafka-control", "kafka-enclave")) {
            JsonNode env = c.at("/services/" + broker + "/environment");
            assertEquals("org.apache.kafka.metadata.authorizer.StandardAuthorizer", env.path("KAFKA_AUTHORIZER_CLASS_NAME").asText());
            assertEquals("false", env.path("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asText());
            assertEquals("false", env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText());
            assertEquals("User:admin", env.path("KAFKA_SUPER_USERS").asText());
        }
        Set<String> control = brokerUsers(c.at("/services/kafka-control"));
        Set<String> enclave = brokerUsers(c.at("/services/kafka-enclave"));
        assertEquals(Set.of("admin", "planner", "approval", "diode-send", "governance", "intake"), control);
        assertEquals(Set.of("admin", "diode-receive", "gateway", "runner", "evidence", "dashboard"), enclave);

        // Each service authenticates as its own principal, on its own plane's broker.
        Pattern user = Pattern.compile("username=\"([a-z-]+)\"");
        c.path("services").fields().forEachRemaining(e -> {
            JsonNode env = e.getValue().path("environment");
            String jaas = env.path("KAFKA_SASL_JAAS_CONFIG").asText(env.path("AIRLOCK_DIODE_KAFKA_SASL_JAAS_CONFIG").asText(""));
            if (jaas.isEmpty()) {
                return;
            }
            Matcher m = user.matcher(jaas);
            assertTrue(m.find(), e.getKey());
            String bootstrap = env.path("KAFKA_BOOTSTRAP_SERVERS").asText(env.path("AIRLOCK_DIODE_KAFKA_BOOTSTRAP_SERVERS").asText());
            boolean enclavePlane = networksOf(e.getValue()).contains("enclave");
            assertEquals(enclavePlane ? "kafka-enclave:9092" : "kafka-control:9092", bootstrap, e.getKey());
            assertTrue((enclavePlane ? enclave : control).contains(m.group(1)), e.getKey() + " as " + m.group(1));
            assertFalse(m.group(1).equals("admin"), e.getKey() + " must not use the admin principal");
        });
    }

    record Acl(String principal, String operation, String type, String name) {
    }

    private static List<Acl> scriptAcls(Path script) throws IOException {
        List<Acl> acls = new ArrayList<>();
        for (String line : Files.readAllLines(script)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5 && f[0].equals("allow")) {
                acls.add(new Acl(f[1], f[2], f[3], f[4]));
            }
        }
        return acls;
    }

    private static Set<String> scriptTopics(Path script) throws IOException {
        Set<String> t = new TreeSet<>();
        for (String line : Files.readAllLines(script)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("topic")) {
                t.add(f[1]);
            }
        }
        return t;
    }

    @Test
    void composeAclsAreLeastPrivilege() throws IOException {
        List<Acl> control = scriptAcls(DEPLOY.resolve("compose/kafka/acls-control.sh"));
        List<Acl> enclave = scriptAcls(DEPLOY.resolve("compose/kafka/acls-enclave.sh"));
        assertEquals(new TreeSet<>(Topics.CONTROL), scriptTopics(DEPLOY.resolve("compose/kafka/acls-control.sh")));
        assertEquals(new TreeSet<>(Topics.ENCLAVE), scriptTopics(DEPLOY.resolve("compose/kafka/acls-enclave.sh")));
        assertLeastPrivilege(control, enclave);
        Set<String> enclaveUsers = brokerUsers(compose().at("/services/kafka-enclave"));
        assertTrue(control.stream().noneMatch(a -> enclaveUsers.contains(a.principal())), "enclave principals on control");
    }

    /** The properties both the Compose scripts and the Strimzi KafkaUsers must have. */
    private static void assertLeastPrivilege(List<Acl> control, List<Acl> enclave) {
        assertEquals(Set.of("diode-receive"), writers(enclave, Topics.INBOUND));
        assertEquals(Set.of("gateway"), writers(enclave, Topics.ADMISSIONS));
        assertEquals(Set.of("gateway", "runner"), writers(enclave, Topics.EVIDENCE_RAW));
        assertEquals(Set.of("evidence"), writers(enclave, Topics.EVIDENCE_SANITIZED));
        assertEquals(Set.of("evidence"), writers(enclave, Topics.EVIDENCE_METADATA));
        assertEquals(Set.of("approval"), writers(control, Topics.CAPSULES_SIGNED));
        assertEquals(Set.of("governance"), writers(control, Topics.POLICY_SIGNED));
        assertEquals(Set.of("planner"), writers(control, Topics.PROPOSALS));
        // the diode sender only reads: it never writes anything on the control side
        assertTrue(control.stream().filter(a -> a.principal().equals("diode-send")).allMatch(a -> a.operation().equals("Read")));
        // nothing in the enclave can touch a control-plane topic, nothing on control an enclave topic
        for (Acl a : enclave) {
            assertFalse(a.type().equals("topic") && Topics.CONTROL.stream().anyMatch(t -> a.name().startsWith(t)), a.toString());
        }
        for (Acl a : control) {
            assertFalse(a.type().equals("topic") && Topics.ENCLAVE.stream().anyMatch(t -> a.name().startsWith(t)), a.toString());
        }
        Set<String> both = new HashSet<>(control.stream().map(Acl::principal).toList());
        both.retainAll(enclave.stream().map(Acl::principal).toList());
        assertEquals(Set.of(), both, "a principal with rights on both planes");
        // no wildcard or prefixed grants
        Stream.concat(control.stream(), enclave.stream()).forEach(a -> {
            assertFalse(a.name().contains("*"), a.toString());
            assertFalse(a.operation().equals("All"), a.toString());
        });
    }

    private static Set<String> writers(List<Acl> acls, String topic) {
        Set<String> w = new TreeSet<>();
        acls.stream().filter(a -> a.type().equals("topic") && a.name().equals(topic) && a.operation().equals("Write"))
                .forEach(a -> w.add(a.principal()));
        return w;
    }

    // ---------------------------------------------------------------- Kubernetes

    private static List<JsonNode> k8s() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        JsonNode kustomization = documents(DEPLOY.resolve("k8s/kustomization.yaml")).get(0);
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.walk(DEPLOY.resolve("k8s"))) {
            Set<String> onDisk = new TreeSet<>(files.filter(p -> p.toString().endsWith(".yaml"))
                    .map(p -> DEPLOY.resolve("k8s").relativize(p).toString())
                    .filter(p -> !p.equals("kustomization.yaml")).toList());
            assertEquals(onDisk, new TreeSet<>(listed), "kustomization.yaml lists every manifest");
        }
        for (String r : listed) {
            for (JsonNode d : documents(DEPLOY.resolve("k8s").resolve(r))) {
                assertFalse(d.path("apiVersion").asText().isEmpty(), r);
                assertFalse(d.path("kind").asText().isEmpty(), r);
                assertFalse(d.at("/metadata/name").asText().isEmpty(), r);
                all.add(d);
            }
        }
        return all;
    }

    private static List<JsonNode> kind(List<JsonNode> docs, String kind, String namespace) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind))
                .filter(d -> namespace == null || d.at("/metadata/namespace").asText().equals(namespace)).toList();
    }

    /**
     * The gateway's JVM sizing (deploy/README.md, "Gateway JVM sizing") is the same in Compose, in Kubernetes and in
     * the gateway benchmark that measured it; the pod's memory limit leaves room beyond the heap.
     */
    @Test
    void theGatewayJvmIsSizedTheSameEverywhere() throws IOException {
        String compose = compose().at("/services/gateway-service/environment/JAVA_OPTS").asText();
        JsonNode gateway = kind(k8s(), "Deployment", "airlock-enclave").stream()
                .filter(d -> d.at("/metadata/name").asText().equals("gateway-service")).findFirst().orElseThrow();
        JsonNode container = gateway.at("/spec/template/spec/containers/0");
        String k8s = "";
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                k8s = e.path("value").asText();
            }
        }
        String bench = Files.readString(DEPLOY.resolveSibling("bench").resolve(
                "src/main/java/dev/airlock/bench/gateway/GatewayBench.java"), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("GATEWAY_JVM = \"([^\"]+)\"").matcher(bench);
        assertTrue(m.find(), "GatewayBench.GATEWAY_JVM");
        assertEquals(m.group(1), compose, "compose gateway-service JAVA_OPTS");
        assertEquals(m.group(1), k8s, "k8s gateway-service JAVA_TOOL_OPTIONS");
        assertTrue(compose.contains("-Xmx1g") && compose.contains("-Xmn512m") && compose.contains("-XX:+UseSerialGC")
                && compose.contains("-XX:+AlwaysPreTouch"), compose);
        String limit = container.at("/resources/limits/memory").asText();
        assertTrue(limit.endsWith("Mi") && Integer.parseInt(limit.substring(0, limit.length() - 2)) >= 1024 + 384,
                "a 1 GiB heap needs a limit of at least 1408Mi, not " + limit);
    }

    @Test
    void kubernetesHasANamespaceAndAStrimziClusterPerPlane() throws IOException {
        List<JsonNode> docs = k8s();
        Map<String, String> planes = new HashMap<>();
        kind(docs, "Namespace", null).forEach(n -> planes.put(n.at("/metadata/name").asText(),
                n.at("/metadata/labels/airlock.dev~1plane").asText()));
        assertEquals(Map.of("airlock-control", "control", "airlock-enclave", "enclave"), planes);
        for (String ns : planes.keySet()) {
            List<JsonNode> kafkas = kind(docs, "Kafka", ns);
            assertEquals(1, kafkas.size(), ns);
            JsonNode k = kafkas.get(0).path("spec").path("kafka");
            assertEquals("simple", k.at("/authorization/type").asText());
            assertFalse(k.at("/config/allow.everyone.if.no.acl.found").asBoolean(true));
            k.path("listeners").forEach(l -> {
                assertTrue(l.path("tls").asBoolean(), "TLS listener");
                assertEquals("tls", l.at("/authentication/type").asText(), "mTLS client authentication");
            });
            Set<String> topics = new TreeSet<>();
            kind(docs, "KafkaTopic", ns).forEach(t -> {
                topics.add(t.at("/spec/topicName").asText());
                assertEquals(16777216, t.at("/spec/config/max.message.bytes").asInt(), t.toString());
            });
            List<String> expected = ns.equals("airlock-control") ? Topics.CONTROL : Topics.ENCLAVE;
            Set<String> withDlq = new TreeSet<>(expected);
            expected.forEach(t -> withDlq.add(Topics.dlq(t)));
            assertEquals(withDlq, topics, ns);
            for (JsonNode d : kind(docs, "Deployment", ns)) {
                String other = ns.equals("airlock-control") ? "enclave-kafka" : "control-kafka";
                assertFalse(d.toString().contains(other), d.at("/metadata/name") + " talks to the other plane's Kafka");
            }
        }
    }

    private static List<Acl> kafkaUserAcls(List<JsonNode> docs, String namespace) {
        List<Acl> acls = new ArrayList<>();
        for (JsonNode u : kind(docs, "KafkaUser", namespace)) {
            assertEquals("tls", u.at("/spec/authentication/type").asText());
            String principal = u.at("/metadata/name").asText();
            for (JsonNode a : u.at("/spec/authorization/acls")) {
                String type = a.at("/resource/type").asText();
                if (!type.equals("cluster")) {
                    assertEquals("literal", a.at("/resource/patternType").asText(), principal);
                }
                for (JsonNode op : a.path("operations")) {
                    acls.add(new Acl(principal, op.asText(), type, a.at("/resource/name").asText("kafka-cluster")));
                }
            }
        }
        return acls;
    }

    @Test
    void kubernetesKafkaUsersAreLeastPrivilege() throws IOException {
        List<JsonNode> docs = k8s();
        assertLeastPrivilege(kafkaUserAcls(docs, "airlock-control"), kafkaUserAcls(docs, "airlock-enclave"));
    }

    private static boolean selectsPlane(JsonNode peer, String plane) {
        JsonNode ns = peer.path("namespaceSelector").path("matchLabels");
        return plane.equals(ns.path("airlock.dev/plane").asText())
                || ("airlock-" + plane).equals(ns.path("kubernetes.io/metadata.name").asText());
    }

    @Test
    void networkPoliciesAllowNothingFromTheEnclaveToTheControlPlane() throws IOException {
        List<JsonNode> docs = k8s();
        for (String ns : List.of("airlock-control", "airlock-enclave")) {
            List<JsonNode> policies = kind(docs, "NetworkPolicy", ns);
            assertTrue(policies.stream().anyMatch(p -> p.at("/spec/podSelector").isEmpty()
                    && p.at("/spec/policyTypes").toString().contains("Ingress")
                    && p.at("/spec/policyTypes").toString().contains("Egress")
                    && p.at("/spec/ingress").isMissingNode() && p.at("/spec/egress").isMissingNode()), ns + " default deny");
            for (JsonNode p : policies) {
                for (JsonNode rule : p.at("/spec/egress")) {
                    assertTrue(rule.has("to") && !rule.path("to").isEmpty(), ns + "/" + p.at("/metadata/name")
                            + ": an egress rule without 'to' allows every destination");
                    for (JsonNode peer : rule.path("to")) {
                        assertFalse(peer.path("ipBlock").path("cidr").asText().endsWith("/0"), "open ipBlock in " + p);
                        if (ns.equals("airlock-enclave")) {
                            assertFalse(selectsPlane(peer, "control"), "enclave egress towards control: " + p);
                        }
                    }
                }
                for (JsonNode rule : p.at("/spec/ingress")) {
                    for (JsonNode peer : rule.path("from")) {
                        if (ns.equals("airlock-control")) {
                            assertFalse(selectsPlane(peer, "enclave"), "control ingress from the enclave: " + p);
                        }
                    }
                }
            }
        }
        // The one cross-plane path: UDP from diode-send (control) to diode-receive (enclave), allowed on both sides.
        JsonNode out = kind(docs, "NetworkPolicy", "airlock-control").stream()
                .filter(p -> p.at("/metadata/name").asText().equals("diode-out")).findFirst().orElseThrow();
        assertEquals("diode-send", out.at("/spec/podSelector/matchLabels/app").asText());
        assertEquals("diode-receive", out.at("/spec/egress/0/to/0/podSelector/matchLabels/app").asText());
        assertTrue(selectsPlane(out.at("/spec/egress/0/to/0"), "enclave"));
        assertEquals("UDP", out.at("/spec/egress/0/ports/0/protocol").asText());
        JsonNode in = kind(docs, "NetworkPolicy", "airlock-enclave").stream()
                .filter(p -> p.at("/metadata/name").asText().equals("diode-in")).findFirst().orElseThrow();
        assertEquals("diode-receive", in.at("/spec/podSelector/matchLabels/app").asText());
        assertTrue(selectsPlane(in.at("/spec/ingress/0/from/0"), "control"));
        assertEquals("UDP", in.at("/spec/ingress/0/ports/0/protocol").asText());
        long crossing = docs.stream().filter(d -> d.path("kind").asText().equals("NetworkPolicy"))
                .filter(d -> d.toString().contains("\"airlock.dev/plane\"")).count();
        assertEquals(2, crossing, "exactly the diode's two policies name the other plane");
    }

    // ---------------------------------------------------------------- systemd

    /** The edge runner's unit: well-formed sections and keys, what it runs, and no listening or private network. */
    @Test
    void theRunnerUnitIsWellFormed() throws IOException {
        Map<String, Map<String, List<String>>> unit = new java.util.LinkedHashMap<>();
        String section = null;
        int n = 0;
        for (String line : Files.readAllLines(DEPLOY.resolve("systemd/airlock-runner.service"))) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.matches("^\\[[A-Za-z]+]$")) {
                section = l.substring(1, l.length() - 1);
                unit.putIfAbsent(section, new java.util.LinkedHashMap<>());
                continue;
            }
            int eq = l.indexOf('=');
            assertTrue(section != null && eq > 0 && l.substring(0, eq).matches("[A-Za-z]+"), "line " + n + ": " + line);
            unit.get(section).computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        assertEquals(List.of("Unit", "Service", "Install"), new ArrayList<>(unit.keySet()));
        Map<String, List<String>> service = unit.get("Service");
        assertEquals(1, service.get("ExecStart").size());
        assertTrue(service.get("ExecStart").get(0).startsWith("/"), "an absolute ExecStart");
        assertEquals(List.of("yes"), service.get("NoNewPrivileges"));
        assertEquals(List.of("strict"), service.get("ProtectSystem"));
        assertFalse(service.containsKey("PrivateNetwork"), "the runner must reach its broker");
        for (String overmountsProc : List.of("ProtectKernelTunables", "ProtectKernelLogs", "ProtectProc")) {
            assertFalse(service.containsKey(overmountsProc), overmountsProc + " mounts over /proc: the validation steps' "
                    + "user namespaces could not mount a fresh /proc, and lose their PID namespace");
        }
        assertFalse(service.get("User").get(0).equals("root"));
        assertEquals(List.of("multi-user.target"), unit.get("Install").get("WantedBy"));
    }
}
