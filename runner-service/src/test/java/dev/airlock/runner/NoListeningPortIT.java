package dev.airlock.runner;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.events.Topics;
import dev.airlock.runner.messaging.Channels;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.EvidenceTopic;
import dev.airlock.runner.testing.RunnerFixture;
import dev.airlock.runner.testing.RunnerProcess;
import dev.airlock.testsupport.kafka.ClientConfigDump;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.net.SocketInspector;
import dev.airlock.testsupport.process.JavaApp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §1 invariant 2: the packaged runner, running as its own process, consuming from the enclave broker and
 * having run a capsule (validation processes, evidence published), holds no listening TCP socket and no bound UDP
 * socket, and its only connections go to that broker. Its producers are idempotent with {@code acks=all}
 * (ARCHITECTURE §4), read from the configuration the Kafka client logs.
 */
class NoListeningPortIT {

    private static final String PRODUCER_CONFIG_LOG =
            "quarkus.log.category.\"org.apache.kafka.common.config.AbstractConfig\".level";

    @Test
    void packagedRunnerIsAKafkaClientOnly() {
        try (KafkaBroker broker = KafkaBroker.start(); KafkaTestClient kafka = new KafkaTestClient(broker);
             RunnerFixture fixture = RunnerFixture.create("payments-api")) {
            broker.createTopics(Topics.ADMISSIONS, Topics.EVIDENCE_RAW, Topics.dlq(Topics.ADMISSIONS));
            int brokerPort = Integer.parseInt(broker.bootstrapServers().substring(
                    broker.bootstrapServers().lastIndexOf(':') + 1));
            try (JavaApp runner = RunnerProcess.start(fixture, broker.bootstrapServers(), "runner-it.log",
                    PRODUCER_CONFIG_LOG, "DEBUG")) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .failFast("runner exited", () -> !runner.isAlive())
                        .until(() -> kafka.groupIsStable(Channels.group(Admissions.RUNNER), 1));
                Capsule c = Admissions.capsule("it-ports-1", "payments-api",
                        Admissions.step("build", 60, "sh", "validate.sh", "check"));
                kafka.send(Topics.ADMISSIONS, c.capsuleId(), Admissions.signed(Admissions.admitted(c, "apply")));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> EvidenceTopic.bundles(kafka, c.capsuleId()).size() == 1);

                SocketInspector inspector = SocketInspector.forPid(runner.pid());
                // keep looking for a while: a server started lazily after the consumer joined would show up here
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                            SocketInspector.Snapshot snapshot = inspector.snapshot();
                            assertEquals(List.of(), snapshot.listeningTcp(), "listening TCP sockets");
                            assertEquals(List.of(), snapshot.boundUdp(), "bound UDP sockets");
                        });
                SocketInspector.Snapshot snapshot = inspector.snapshot();
                assertFalse(snapshot.establishedTcp().isEmpty(), "the runner should be connected to its broker");
                assertTrue(snapshot.establishedTcp().stream().allMatch(s -> s.remotePort() == brokerPort),
                        () -> "connections other than to the broker: " + snapshot.establishedTcp());

                // every producer, the dead-letter one included, is idempotent with acks=all (-1)
                List<Map<String, String>> producers = ClientConfigDump.producers(runner.logText());
                assertEquals(2, producers.size(), "1 outgoing channel + 1 dead-letter producer");
                for (Map<String, String> producer : producers) {
                    assertEquals("-1", producer.get("acks"), producer.get("client.id"));
                    assertEquals("true", producer.get("enable.idempotence"), producer.get("client.id"));
                }
                List<Map<String, String>> consumers = ClientConfigDump.consumers(runner.logText());
                assertEquals(1, consumers.size(), "one incoming channel");
                for (Map<String, String> consumer : consumers) {
                    assertEquals(Channels.group(Admissions.RUNNER), consumer.get("group.id"));
                    assertEquals("false", consumer.get("enable.auto.commit"));
                    assertEquals("earliest", consumer.get("auto.offset.reset"));
                }
            }
        }
    }
}
