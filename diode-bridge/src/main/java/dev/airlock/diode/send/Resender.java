package dev.airlock.diode.send;

import dev.airlock.core.verify.VerificationException;
import dev.airlock.diode.config.SenderConfig;
import dev.airlock.diode.trust.ValueClassifier;
import dev.airlock.diode.wire.EncodedMessage;
import dev.airlock.diode.wire.MessageBody;
import dev.airlock.diode.wire.WireFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * {@code diode-bridge resend}: re-transmits a range of sequences. The journal names the source record of each
 * sequence; the record is read again from the control cluster (no payload spool on disk) and sent with its original
 * sequence, so a message the receiver already has is collapsed there. Records that Kafka no longer retains, or whose
 * bytes no longer match the journal's digest, are reported and skipped.
 */
public final class Resender {
    private static final Logger LOG = Logger.getLogger(Resender.class.getName());

    /** What a resend did. */
    public record Result(long requested, long sent, List<Long> unavailable) {
    }

    private Resender() {
    }

    public static Result resend(SenderConfig cfg, ValueClassifier classifier, long from, long to) throws IOException {
        List<SendJournal.Entry> entries = SendJournal.read(cfg.journalDir(), from, to);
        List<Long> unavailable = new ArrayList<>();
        long sent = 0;
        java.util.Set<Long> known = new java.util.HashSet<>();
        entries.forEach(e -> known.add(e.sequence()));
        for (long s = from; s <= to; s++) {
            if (!known.contains(s)) {
                unavailable.add(s);
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(WireFormat.dataDatagramSize(cfg.stream(), cfg.fec().shardSize()));
        try (UdpTransmitter tx = new UdpTransmitter(cfg.target(), cfg.rateBytesPerSec(), cfg.socketBufferBytes(),
                WireFormat.dataDatagramSize(cfg.stream(), cfg.fec().shardSize()));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(DiodeSender.consumerProps(cfg, false),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, List<SendJournal.Entry>> byPartition = new TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            for (SendJournal.Entry e : entries) {
                byPartition.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), k -> new ArrayList<>()).add(e);
            }
            for (Map.Entry<TopicPartition, List<SendJournal.Entry>> part : byPartition.entrySet()) {
                Map<Long, ConsumerRecord<byte[], byte[]>> found = fetch(consumer, part.getKey(), part.getValue());
                for (SendJournal.Entry e : part.getValue()) {
                    ConsumerRecord<byte[], byte[]> rec = found.get(e.offset());
                    if (rec == null) {
                        unavailable.add(e.sequence());
                        LOG.warning(String.format(Locale.ROOT,
                                "event=resend-unavailable sequence=%d topic=%s partition=%d offset=%d reason=not_retained",
                                e.sequence(), e.topic(), e.partition(), e.offset()));
                        continue;
                    }
                    if (send(cfg, classifier, tx, buf, e, rec)) {
                        sent++;
                    } else {
                        unavailable.add(e.sequence());
                    }
                }
            }
        }
        unavailable.sort(Long::compare);
        long s = sent;
        LOG.info(() -> String.format(Locale.ROOT, "event=resend-done stream=%s from=%d to=%d sent=%d unavailable=%d",
                cfg.stream(), from, to, s, unavailable.size()));
        return new Result(to - from + 1, sent, unavailable);
    }

    private static boolean send(SenderConfig cfg, ValueClassifier classifier, UdpTransmitter tx, ByteBuffer buf,
                                SendJournal.Entry e, ConsumerRecord<byte[], byte[]> rec) throws IOException {
        try {
            classifier.classify(rec.value());
        } catch (VerificationException ex) {
            return false;
        }
        String key = rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8);
        byte[] body = new MessageBody(key, rec.value()).encode();
        byte[] digest = EncodedMessage.sha256(body);
        if (!HexFormat.of().formatHex(digest).equals(e.digestHex())) {
            LOG.warning(String.format(Locale.ROOT, "event=resend-unavailable sequence=%d reason=digest_changed",
                    e.sequence()));
            return false;
        }
        EncodedMessage.encode(cfg.stream(), e.sequence(), body, digest, cfg.fec())
                .forEachDatagram(buf, WireFormat.FLAG_RESEND, tx::send);
        return true;
    }

    /** Reads the wanted offsets of one partition in one forward pass (seeking over long stretches). */
    private static Map<Long, ConsumerRecord<byte[], byte[]>> fetch(KafkaConsumer<byte[], byte[]> consumer,
                                                                    TopicPartition tp, List<SendJournal.Entry> wanted) {
        java.util.TreeSet<Long> offsets = new java.util.TreeSet<>();
        wanted.forEach(e -> offsets.add(e.offset()));
        Map<Long, ConsumerRecord<byte[], byte[]>> found = new java.util.HashMap<>();
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        offsets.removeIf(o -> o < begin || o >= end);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!offsets.isEmpty() && System.nanoTime() < deadline) {
            long next = offsets.first();
            if (consumer.position(tp) > next || next - consumer.position(tp) > 1000) {
                consumer.seek(tp, next);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                if (offsets.remove(r.offset())) {
                    found.put(r.offset(), r);
                }
            }
            // offsets that are gone (compaction, aborted transactions) are passed by the position
            long pos = consumer.position(tp);
            offsets.headSet(pos).clear();
        }
        return found;
    }
}
