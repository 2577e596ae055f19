package dev.airlock.testsupport.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaBrokerTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void idempotentProducerRoundTripThroughAConsumerGroup() {
        String topic = "round-trip";
        broker.createTopics(topic);
        try (KafkaTestClient client = new KafkaTestClient(broker)) {
            RecordMetadata first = client.send(topic, "capsule-1", "{\"n\":1}");
            RecordMetadata second = client.send(topic, "capsule-2", "{\"n\":2}");
            assertEquals(first.offset() + 1, second.offset());

            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "round-trip-group",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        seen.add(r.key() + "=" + r.value());
                    }
                    return seen.size() >= 2;
                });
                consumer.commitSync();
            }
            assertEquals(List.of("capsule-1={\"n\":1}", "capsule-2={\"n\":2}"), seen);
            assertEquals(second.offset() + 1,
                    client.committedOffset("round-trip-group", new TopicPartition(topic, 0)).orElseThrow());
        }
    }

    @Test
    void transactionsCommitAndAbortAreVisibleToReadCommittedConsumers() {
        String topic = "transactional";
        broker.createTopics(topic);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "airlock-test-tx",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted", bytes("never visible")));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed", bytes("visible")));
            producer.commitTransaction();
        }
        // commitTransaction() returns once the coordinator has logged PrepareCommit; the markers that
        // move the last stable offset are written afterwards, so a read_committed reader may briefly
        // see nothing. Wait for the commit to become visible, then check the aborted record never is.
        try (KafkaTestClient client = new KafkaTestClient(broker)) {
            List<String> keys = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                keys.clear();
                client.readAll(topic).stream().map(ConsumerRecord::key).forEach(keys::add);
                return !keys.isEmpty();
            });
            assertEquals(List.of("committed"), keys);
        }
    }

    @Test
    void readAllDoesNotCreateMissingTopics() {
        try (KafkaTestClient client = new KafkaTestClient(broker)) {
            assertTrue(client.readAll("does-not-exist").isEmpty());
            assertTrue(client.readAll("does-not-exist").isEmpty());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
