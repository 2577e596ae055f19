package dev.airlock.testsupport.kafka;

import dev.airlock.testsupport.Infrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node KRaft Kafka broker for tests: in this JVM by default, a Testcontainers {@code apache/kafka}
 * container where {@link Infrastructure#useContainers()} says so. Several brokers may run at once in one JVM (the
 * control and the enclave cluster of ARCHITECTURE §1). The broker accepts idempotent producers ({@code acks=all})
 * and transactions: offsets and transaction-state topics have replication factor 1 and min ISR 1.
 */
public interface KafkaBroker extends AutoCloseable {

    /** Starts a broker of the kind chosen by {@link Infrastructure}. */
    static KafkaBroker start() {
        return Infrastructure.useContainers() ? ContainerKafkaBroker.start() : EmbeddedKafka.start();
    }

    /** Starts a broker in this JVM regardless of the container switch. */
    static KafkaBroker startEmbedded() {
        return EmbeddedKafka.start();
    }

    /** Starts a broker in this JVM with {@code brokerProperties} added to (or replacing) the single-node ones. */
    static KafkaBroker startEmbedded(Map<String, String> brokerProperties) {
        return EmbeddedKafka.start(brokerProperties);
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** {@code embedded} or {@code container}. */
    String kind();

    /** Stops the broker and deletes its data. */
    @Override
    void close();

    /** Creates topics with one partition each (replication factor 1); existing topics are left as they are. */
    default void createTopics(String... topics) {
        createTopics(Arrays.asList(topics));
    }

    default void createTopics(List<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + topics, e);
        }
    }
}
