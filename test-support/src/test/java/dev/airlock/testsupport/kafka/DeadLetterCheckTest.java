package dev.airlock.testsupport.kafka;

import dev.airlock.core.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check the service tests rely on must fail when a consumer misbehaves. A hand-written "consumer" plays the
 * service: it dead-letters what it is told to, with the headers it is told to, and commits offsets.
 */
class DeadLetterCheckTest {

    private static final String GROUP = "check-under-test";
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** What the simulated consumer writes as reason for a record key, or {@code null} to accept the record. */
    private static void consume(String topic, Function<String, String> reasonFor, boolean commit) throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            long next = 0;
            for (ConsumerRecord<String, byte[]> r : kafka.readAll(topic)) {
                String reason = reasonFor.apply(r.key());
                if (reason != null) {
                    ProducerRecord<String, byte[]> letter = new ProducerRecord<>(Topics.dlq(topic), r.key(), r.value());
                    letter.headers().add(Topics.DLQ_REASON, bytes(reason));
                    letter.headers().add(Topics.DLQ_DETAIL, bytes("because"));
                    letter.headers().add(DeadLetterCheck.ORIGIN_TOPIC_HEADER, bytes(topic));
                    producer.send(letter).get(30, TimeUnit.SECONDS);
                }
                next = r.offset() + 1;
            }
            if (commit) {
                kafka.admin().alterConsumerGroupOffsets(GROUP,
                        Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(next))).all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String newTopic() {
        String topic = "check-" + TOPICS.incrementAndGet();
        broker.createTopics(topic, Topics.dlq(topic));
        return topic;
    }

    private static DeadLetterCheck scenario(KafkaTestClient kafka, String topic) {
        return new DeadLetterCheck(kafka, GROUP)
                .poison(topic, "bad", bytes("{\"a\":1,\"a\":2}"), "MALFORMED")
                .good(topic, "good", bytes("{}"));
    }

    @Test
    void passesWhenPoisonIsDeadLetteredAndEverythingIsCommitted() throws Exception {
        String topic = newTopic();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            DeadLetterCheck check = scenario(kafka, topic);
            consume(topic, key -> key.startsWith("bad-") ? "MALFORMED" : null, true);
            check.verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void failsWhenPoisonIsSilentlyDropped() throws Exception {
        String topic = newTopic();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            DeadLetterCheck check = scenario(kafka, topic);
            consume(topic, key -> null, true);
            AssertionError e = assertThrows(AssertionError.class, () -> check.verify(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("appears 0 times"), e.getMessage());
        }
    }

    @Test
    void failsWhenAGoodRecordIsDeadLettered() throws Exception {
        String topic = newTopic();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            DeadLetterCheck check = scenario(kafka, topic);
            consume(topic, key -> "MALFORMED", true);
            AssertionError e = assertThrows(AssertionError.class, () -> check.verify(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("was dead-lettered"), e.getMessage());
        }
    }

    @Test
    void failsOnTheWrongReason() throws Exception {
        String topic = newTopic();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            DeadLetterCheck check = scenario(kafka, topic);
            consume(topic, key -> key.startsWith("bad-") ? "TOO_LARGE" : null, true);
            AssertionError e = assertThrows(AssertionError.class, () -> check.verify(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("expected MALFORMED"), e.getMessage());
        }
    }

    @Test
    void failsWhenTheConsumerNeverCommits() throws Exception {
        String topic = newTopic();
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            DeadLetterCheck check = scenario(kafka, topic);
            consume(topic, key -> key.startsWith("bad-") ? "MALFORMED" : null, false);
            Throwable e = assertThrows(Throwable.class, () -> check.verify(Duration.ofSeconds(3)));
            assertTrue(String.valueOf(e.getMessage()).contains("has committed"), List.of(e).toString());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
