package dev.airlock.gateway;

import dev.airlock.core.events.Topics;
import dev.airlock.gateway.messaging.Channels;
import dev.airlock.gateway.testing.Fixtures;
import dev.airlock.gateway.testing.GatewayProcess;
import dev.airlock.testsupport.kafka.ClientConfigDump;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.net.SocketInspector;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §1 invariant 2: the packaged gateway, running as its own process, consuming from the enclave broker and
 * writing to the enclave PostgreSQL, holds no listening TCP socket and no bound UDP socket, and its only connections go
 * to that broker and that database. Its producers are idempotent with {@code acks=all} (ARCHITECTURE §4) and its
 * consumers commit by hand, read from the configuration the Kafka client logs.
 */
class NoListeningPortIT {

    private static final String CLIENT_CONFIG_LOG =
            "quarkus.log.category.\"org.apache.kafka.common.config.AbstractConfig\".level";

    @Test
    void packagedGatewayIsAKafkaAndPostgresClientOnly() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(); PostgresServer db = PostgresServer.start();
             KafkaTestClient kafka = new KafkaTestClient(broker)) {
            broker.createTopics(Topics.INBOUND, Topics.dlq(Topics.INBOUND), Topics.ADMISSIONS, Topics.EVIDENCE_RAW,
                    Topics.DIODE_HEALTH);
            int brokerPort = port(broker.bootstrapServers());
            int dbPort = port(db.jdbcUrl().substring(0, db.jdbcUrl().lastIndexOf('/')));
            Path dir = new Fixtures(Instant.now()).writeConfigFiles(Files.createTempDirectory(Path.of("target"),
                    "no-port-it-"));
            Map<String, String> p = new HashMap<>(GatewayProcess.properties(broker, db, dir));
            p.put(CLIENT_CONFIG_LOG, "DEBUG");
            try (JavaApp gateway = GatewayProcess.start(p, Path.of("target", "gateway-it.log"))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .failFast("gateway exited", () -> !gateway.isAlive())
                        .until(() -> kafka.groupIsStable(Channels.GROUP, 1));

                SocketInspector inspector = SocketInspector.forPid(gateway.pid());
                // keep looking for a while: a server started lazily after the consumer joined would show up here
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                            SocketInspector.Snapshot snapshot = inspector.snapshot();
                            assertEquals(List.of(), snapshot.listeningTcp(), "listening TCP sockets");
                            assertEquals(List.of(), snapshot.boundUdp(), "bound UDP sockets");
                        });
                SocketInspector.Snapshot snapshot = inspector.snapshot();
                assertFalse(snapshot.establishedTcp().isEmpty(), "the gateway should be connected to its broker");
                assertTrue(snapshot.establishedTcp().stream().anyMatch(s -> s.remotePort() == dbPort),
                        () -> "no connection to PostgreSQL: " + snapshot.establishedTcp());
                assertTrue(snapshot.establishedTcp().stream()
                                .allMatch(s -> Set.of(brokerPort, dbPort).contains(s.remotePort())),
                        () -> "connections other than to the broker and the database: " + snapshot.establishedTcp());

                // every producer, the dead-letter one included, is idempotent with acks=all (-1)
                List<Map<String, String>> producers = ClientConfigDump.producers(gateway.logText());
                assertEquals(4, producers.size(), "3 outgoing channels + 1 dead-letter producer");
                for (Map<String, String> producer : producers) {
                    assertEquals("-1", producer.get("acks"), producer.get("client.id"));
                    assertEquals("true", producer.get("enable.idempotence"), producer.get("client.id"));
                }
                List<Map<String, String>> consumers = ClientConfigDump.consumers(gateway.logText());
                assertEquals(2, consumers.size(), "inbound and diode health");
                for (Map<String, String> consumer : consumers) {
                    assertEquals("false", consumer.get("enable.auto.commit"));
                }
                Map<String, Map<String, String>> byGroup = new HashMap<>();
                consumers.forEach(c -> byGroup.put(c.get("group.id"), c));
                assertEquals("earliest", byGroup.get(Channels.GROUP).get("auto.offset.reset"));
                assertEquals("latest", byGroup.get(Channels.HEALTH_GROUP_PREFIX + Fixtures.GATEWAY)
                        .get("auto.offset.reset"));
            }
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
