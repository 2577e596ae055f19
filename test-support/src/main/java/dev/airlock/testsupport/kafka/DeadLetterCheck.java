package dev.airlock.testsupport.kafka;

import dev.airlock.core.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Drives a consumer's poison-record behaviour from the outside (ARCHITECTURE §4: "poison records go to
 * {@code <topic>.dlq} with the reason in headers; nothing is silently dropped").
 * <p>
 * Send poison and good records in the order the scenario needs (poison first, then a good one, proves the consumer
 * keeps going), then {@link #verify(Duration)}: it waits until the consumer group has committed past the last record
 * sent to each topic (an offset is committed only after its record was acknowledged, and a dead-lettered record is
 * acknowledged only after its dead letter was written), then checks the dead-letter topic holds exactly the poison
 * records, byte for byte, each with its reason code and a detail, and none of the good ones.
 */
public final class DeadLetterCheck {

    /** SmallRye's own header naming the topic a dead letter came from. */
    public static final String ORIGIN_TOPIC_HEADER = "dead-letter-topic";

    private record Sent(String topic, String key, byte[] value, String reason, long offset) {
        boolean poison() {
            return reason != null;
        }
    }

    private final KafkaTestClient kafka;
    private final String group;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<Sent> sent = new ArrayList<>();

    public DeadLetterCheck(KafkaTestClient kafka, String group) {
        this.kafka = Objects.requireNonNull(kafka);
        this.group = Objects.requireNonNull(group);
    }

    /** Sends a record the consumer must dead-letter with {@code reason} (a {@code ReasonCode} name). */
    public DeadLetterCheck poison(String topic, String label, byte[] value, String reason) {
        return send(topic, label, value, Objects.requireNonNull(reason));
    }

    /** Sends a record the consumer must accept. */
    public DeadLetterCheck good(String topic, String label, byte[] value) {
        return send(topic, label, value, null);
    }

    private DeadLetterCheck send(String topic, String label, byte[] value, String reason) {
        String key = label + "-" + run;
        long offset = kafka.send(topic, key, value).offset();
        sent.add(new Sent(topic, key, value, reason, offset));
        return this;
    }

    /** Waits for the group to commit past everything sent, then checks every dead-letter topic. */
    public void verify(Duration timeout) {
        Map<String, List<Sent>> byTopic = new LinkedHashMap<>();
        for (Sent s : sent) {
            byTopic.computeIfAbsent(s.topic(), t -> new ArrayList<>()).add(s);
        }
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (Map.Entry<String, List<Sent>> e : byTopic.entrySet()) {
                // topics of these tests have one partition
                long last = e.getValue().stream().mapToLong(Sent::offset).max().orElseThrow();
                OptionalLong committed = kafka.committedOffset(group, new TopicPartition(e.getKey(), 0));
                if (committed.isEmpty() || committed.getAsLong() <= last) {
                    throw new AssertionError(group + " has committed " + committed + " on " + e.getKey()
                            + ", expected past offset " + last);
                }
            }
        });
        for (Map.Entry<String, List<Sent>> e : byTopic.entrySet()) {
            checkDeadLetters(e.getKey(), e.getValue());
        }
    }

    private void checkDeadLetters(String topic, List<Sent> records) {
        String dlq = Topics.dlq(topic);
        Map<String, List<ConsumerRecord<String, byte[]>>> letters = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readAll(dlq)) {
            if (r.key() != null && r.key().endsWith("-" + run)) {
                letters.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Sent s : records) {
            List<ConsumerRecord<String, byte[]>> found = letters.getOrDefault(s.key(), List.of());
            if (!s.poison()) {
                if (!found.isEmpty()) {
                    throw new AssertionError("good record " + s.key() + " on " + topic + " was dead-lettered: "
                            + KafkaTestClient.header(found.get(0), Topics.DLQ_DETAIL).orElse("?"));
                }
                continue;
            }
            if (found.size() != 1) {
                throw new AssertionError("poison record " + s.key() + " on " + topic + " appears " + found.size()
                        + " times on " + dlq + ", expected once");
            }
            ConsumerRecord<String, byte[]> letter = found.get(0);
            Optional<String> reason = KafkaTestClient.header(letter, Topics.DLQ_REASON);
            if (!reason.equals(Optional.of(s.reason()))) {
                throw new AssertionError("dead letter " + s.key() + " has reason " + reason + ", expected "
                        + s.reason());
            }
            if (KafkaTestClient.header(letter, Topics.DLQ_DETAIL).filter(d -> !d.isBlank()).isEmpty()) {
                throw new AssertionError("dead letter " + s.key() + " has no " + Topics.DLQ_DETAIL + " header");
            }
            if (!KafkaTestClient.header(letter, ORIGIN_TOPIC_HEADER).equals(Optional.of(topic))) {
                throw new AssertionError("dead letter " + s.key() + " does not name its origin topic " + topic);
            }
            if (!Arrays.equals(s.value(), letter.value())) {
                throw new AssertionError("dead letter " + s.key() + " does not carry the original bytes");
            }
        }
    }
}
