package dev.airlock.gateway.service;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.json.StrictJson;
import dev.airlock.gateway.domain.OutboxMessage;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Puts admissions waiting in the outbox together again after a restart. An admission record carries the signed capsule
 * it admits; the outbox stores that capsule by reference to the inbound record that carried it (migration V3), so the
 * relay, which published from memory before the restart, now reads each such record back from the enclave broker,
 * checks its bytes against the digest recorded when it was decided, and rebuilds the same record: v2, the stored
 * signed statement framed with the capsule ({@link Admission#frame}); for a row written before v2, the v1 envelope from
 * the stored payload head and signatures ({@link Admission#reassemble}). Nothing is signed again.
 * <p>
 * A capsule the broker no longer holds (the inbound topic's retention passed while the gateway was down, or its records
 * were deleted) or whose bytes differ cannot be rebuilt: its row stays in the outbox unpublished and an ERROR names it.
 * Fail closed: that capsule is not run (it is in the ledger, so sending it again is {@code REPLAY}; its proposer makes
 * a new capsule), while the gateway goes on with everything else.
 */
@ApplicationScoped
public class CapsuleRecall {
    private static final Logger LOG = Logger.getLogger(CapsuleRecall.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final TypeReference<List<Envelope.Signature>> SIGNATURES = new TypeReference<>() {
    };

    private final Map<String, Object> kafka;

    @Inject
    public CapsuleRecall(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = kafka;
    }

    /** What happened to the pending rows: those ready to publish, in their order, and those that cannot be. */
    public record Outcome(List<OutboxMessage> ready, List<OutboxMessage> unrecoverable) {
    }

    /** Rebuilds the admissions by reference among {@code pending}; the other rows pass through unchanged. */
    public Outcome rebuild(List<OutboxMessage> pending) {
        Map<TopicPartition, List<OutboxMessage>> wanted = new HashMap<>();
        for (OutboxMessage m : pending) {
            if (m.capsuleByReference() && m.record == null) {
                wanted.computeIfAbsent(new TopicPartition(m.capsuleTopic, m.capsulePartition), k -> new ArrayList<>())
                        .add(m);
            }
        }
        if (wanted.isEmpty()) {
            return new Outcome(pending, List.of());
        }
        int count = wanted.values().stream().mapToInt(List::size).sum();
        LOG.infof("Reading back %d admitted capsule(s) from the broker to publish their admissions", count);
        List<OutboxMessage> lost = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            for (Map.Entry<TopicPartition, List<OutboxMessage>> e : wanted.entrySet()) {
                Map<Long, byte[]> values = read(consumer, e.getKey(), e.getValue());
                for (OutboxMessage m : e.getValue()) {
                    String problem = rebuild(m, values.get(m.capsuleOffset));
                    if (problem != null) {
                        LOG.errorf("Admission of capsule %s (outbox row %d) cannot be published: %s. It stays in the"
                                + " outbox, unpublished, and the capsule is not run; its proposer has to send a new"
                                + " capsule (this one is in the ledger). Once that is settled, delete the row: delete"
                                + " from outbox where id = %d", m.recordKey, m.id, problem, m.id);
                        lost.add(m);
                    }
                }
            }
        }
        List<OutboxMessage> ready = pending.stream().filter(m -> !lost.contains(m)).toList();
        return new Outcome(ready, List.copyOf(lost));
    }

    private static String rebuild(OutboxMessage m, byte[] capsule) {
        String at = m.capsuleTopic + "-" + m.capsulePartition + "@" + m.capsuleOffset;
        if (capsule == null) {
            return "the broker no longer holds the inbound record " + at + " that carried the capsule";
        }
        String digest = Hex.digest(capsule);
        if (!digest.equals(m.capsuleDigest)) {
            return "the inbound record " + at + " is " + digest + ", not the " + m.capsuleDigest + " decided on";
        }
        try {
            if (m.signatures == null) {
                // v2: the stored statement, framed with the capsule it names
                m.record = Admission.frame(m.value, capsule);
            } else {
                // a row a gateway wrote before v2: the v1 envelope, from its payload head and signatures
                List<Envelope.Signature> sigs = StrictJson.mapper().readValue(m.signatures, SIGNATURES);
                m.record = Admission.reassemble(m.value, capsule, sigs).toJson();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "the stored admission does not go together again: " + e.getMessage();
        }
    }

    /** The values of {@code rows}' offsets in {@code tp} that the broker still has. */
    private static Map<Long, byte[]> read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp,
                                          List<OutboxMessage> rows) {
        Map<Long, byte[]> found = new HashMap<>();
        Set<Long> wanted = rows.stream().map(m -> m.capsuleOffset).collect(Collectors.toSet());
        long first = rows.stream().mapToLong(m -> m.capsuleOffset).min().orElseThrow();
        long last = rows.stream().mapToLong(m -> m.capsuleOffset).max().orElseThrow();
        consumer.assign(List.of(tp));
        long start = consumer.beginningOffsets(List.of(tp)).get(tp);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long upTo = Math.min(last + 1, end);
        if (Math.max(first, start) >= upTo) {
            return found;
        }
        consumer.seek(tp, Math.max(first, start));
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        long position = Math.max(first, start);
        while (position < upTo) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + tp + " from offset " + position + " to " + upTo
                        + " within " + READ_TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                // only the records of pending rows: the range between them may hold many others, up to 16 MiB each
                if (wanted.contains(r.offset()) && r.value() != null) {
                    found.put(r.offset(), r.value());
                }
            }
            position = consumer.position(tp);
        }
        return found;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        kafka.forEach((k, v) -> {
            if (v != null) {
                p.put(k, v.toString());
            }
        });
        // assigned, not subscribed: no group, nothing committed
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-capsule-recall");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
