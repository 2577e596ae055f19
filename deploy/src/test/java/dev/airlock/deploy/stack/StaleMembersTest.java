package dev.airlock.deploy.stack;

import dev.airlock.deploy.KafkaNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer killed with SIGKILL stays a member of its group until its session expires (45 s): the group still looks
 * stable with one member, and a successor gets no partition until then. {@link KafkaSetup#removeStaleMembers}, which
 * {@code airlock up} runs before starting services, removes such members, so the successor is assigned at once.
 * Real broker ({@link KafkaNode}, as the stack runs it) and a real consumer in a child process.
 */
class StaleMembersTest {
    private static final String TOPIC = "stale-members";
    // JUL keeps loggers weakly: held here so the quieter level stays (the clients log every rebalance step at INFO)
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");
    @TempDir
    static Path dir;
    private static Process broker;
    private static String bootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
        int port = freePort();
        int controller = freePort();
        bootstrap = "127.0.0.1:" + port;
        broker = java(KafkaNode.class, dir.resolve("kafka").toString(), Integer.toString(port), Integer.toString(controller))
                .redirectOutput(dir.resolve("kafka.log").toFile()).redirectErrorStream(true).start();
        HealthCheck cluster = new HealthCheck.KafkaCluster(bootstrap);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster.probe().healthy());
        try (Admin admin = Admin.create(HealthCheck.kafkaClient(bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    @Test
    void membersOfAKilledConsumerAreRemovedSoItsSuccessorIsAssignedAtOnce() throws Exception {
        String group = "killed-consumer";
        Process member = java(GroupMemberMain.class, bootstrap, group, TOPIC).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.startsWith("assigned")) {
                            return l;
                        }
                    }
                    return "exited";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).get(60, TimeUnit.SECONDS);
            assertEquals("assigned 3", line);
        } finally {
            member.destroyForcibly(); // SIGKILL: no LeaveGroup
            member.waitFor(30, TimeUnit.SECONDS);
        }

        // The dead member is still there, and the group still looks healthy: the check alone cannot tell.
        assertEquals(1, describe(group).members().size());
        assertTrue(new HealthCheck.ConsumerGroup(bootstrap, group).probe().healthy());

        assertEquals(Map.of(group, 1), KafkaSetup.removeStaleMembers(bootstrap, List.of(group, "never-used")));
        assertEquals(0, describe(group).members().size());
        assertEquals(Map.of(), KafkaSetup.removeStaleMembers(bootstrap, List.of(group)), "nothing left to remove");

        // The successor gets every partition well within the 45 s session the dead member would have held them for.
        long t0 = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> successor = consumer(group)) {
            successor.subscribe(List.of(TOPIC));
            long deadline = t0 + TimeUnit.SECONDS.toNanos(20);
            while (successor.assignment().isEmpty() && System.nanoTime() < deadline) {
                successor.poll(Duration.ofMillis(200));
            }
            assertEquals(3, successor.assignment().size(), "successor not assigned within 20 s");
        }
    }

    private static ConsumerGroupDescription describe(String group) throws Exception {
        try (Admin admin = Admin.create(HealthCheck.kafkaClient(bootstrap))) {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private static ProcessBuilder java(Class<?> main, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
