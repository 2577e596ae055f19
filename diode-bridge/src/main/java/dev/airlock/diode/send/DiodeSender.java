package dev.airlock.diode.send;

import dev.airlock.core.verify.VerificationException;
import dev.airlock.diode.config.SenderConfig;
import dev.airlock.diode.trust.HeartbeatSigner;
import dev.airlock.diode.trust.ValueClassifier;
import dev.airlock.diode.wire.EncodedMessage;
import dev.airlock.diode.wire.MessageBody;
import dev.airlock.diode.wire.WireFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code diode-bridge send}: consumes signed capsules and policies on the control cluster and transmits them one way
 * as FEC-protected UDP datagrams, with signed heartbeats. Commit point: a batch's offsets are committed only after
 * every message of it was fully transmitted; its sequence assignments are fsync'd before the first datagram, so a
 * restart re-sends uncommitted records under the same sequences and the receiver collapses them.
 * <p>
 * Two threads, so the link never idles while the next batch is fetched, checked, FEC-encoded and journalled: the
 * calling thread owns the Kafka consumer and the journal (poll, encode, fsync, commit); {@code diode-transmit} owns the
 * paced socket sends and the repeats. At most {@link #BATCHES_IN_FLIGHT} encoded batches wait between them; a batch
 * comes back to the calling thread once its last datagram left, and only then are its offsets committed.
 */
public final class DiodeSender implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DiodeSender.class.getName());
    private static final long MAX_REPEAT_BYTES = 64L * 1024 * 1024;
    static final int BATCHES_IN_FLIGHT = 4;

    private final SenderConfig cfg;
    private final ValueClassifier classifier;
    private final Heartbeats heartbeats;
    private final SendJournal journal;
    private final UdpTransmitter tx;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ScheduledExecutorService heartbeatTimer;
    private final AtomicLong lastSent = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AtomicLong reusedSequences = new AtomicLong();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private final ArrayDeque<Repeat> repeats = new ArrayDeque<>();
    private long repeatBytes;
    private volatile boolean running = true;
    /** Offsets whose records were fully transmitted (committed at least asynchronously). */
    private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

    /** Encoded batches waiting for the transmit thread, and the ones it has fully sent. */
    private final BlockingQueue<Batch> toSend = new ArrayBlockingQueue<>(BATCHES_IN_FLIGHT);
    private final Queue<Batch> sent = new ConcurrentLinkedQueue<>();
    private volatile boolean transmitting = true;
    private volatile Throwable transmitFailure;

    private record Repeat(long dueNanos, EncodedMessage message, long bytes) {
    }

    private record Batch(List<Outgoing> out, Map<TopicPartition, OffsetAndMetadata> commit, long maxSequence) {
    }

    public DiodeSender(SenderConfig cfg, ValueClassifier classifier, HeartbeatSigner signer, Clock clock)
            throws IOException {
        this.cfg = cfg;
        this.classifier = classifier;
        this.heartbeats = new Heartbeats(signer, cfg.stream(), clock);
        this.journal = new SendJournal(cfg.journalDir(), 1_000_000);
        this.lastSent.set(journal.lastTransmitted());
        this.tx = new UdpTransmitter(cfg.target(), cfg.rateBytesPerSec(), cfg.socketBufferBytes(),
                WireFormat.dataDatagramSize(cfg.stream(), cfg.fec().shardSize()));
        this.consumer = new KafkaConsumer<>(consumerProps(cfg, true), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.heartbeatTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "diode-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    public static Properties consumerProps(SenderConfig cfg, boolean group) {
        Properties p = new Properties();
        p.putAll(cfg.kafka());
        if (group) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.groupId());
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(cfg.maxPollRecords()));
        p.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "900000");
        int fetch = (int) Math.min(Integer.MAX_VALUE, cfg.maxValueBytes() + 1024 * 1024);
        p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(fetch));
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(Math.max(fetch, 52_428_800)));
        return p;
    }

    /** Runs until {@link #stop()}. */
    public void run() throws IOException {
        long hb = cfg.heartbeatInterval().toMillis();
        heartbeatTimer.scheduleAtFixedRate(this::heartbeat, 0, hb, TimeUnit.MILLISECONDS);
        consumer.subscribe(cfg.topics(), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                commitTransmitted();
                committed.keySet().removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                // nothing to do: the committed offsets are where transmission resumes
            }
        });
        LOG.info(() -> String.format(Locale.ROOT,
                "event=sender-started stream=%s target=%s rate=%dB/s fec=[%s] nextSequence=%d topics=%s",
                cfg.stream(), cfg.target(), cfg.rateBytesPerSec(), cfg.fec(), journal.nextSequence(), cfg.topics()));
        Thread transmitter = new Thread(this::transmitLoop, "diode-transmit");
        transmitter.setDaemon(true);
        transmitter.start();
        try {
            while (running) {
                completeSent();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                if (!records.isEmpty()) {
                    enqueue(encodeBatch(records));
                }
            }
            finishTransmitting(transmitter);
            completeSent();
            commitTransmitted();
        } catch (WakeupException e) {
            // stopped mid-batch: that batch is re-sent after a restart under the same sequences (journal), and the
            // receiver collapses it
            LOG.info(() -> "event=sender-stopped-before-commit stream=" + cfg.stream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.info(() -> "event=sender-interrupted stream=" + cfg.stream());
        } finally {
            transmitting = false;
            heartbeatTimer.shutdownNow();
            LOG.info(() -> String.format(Locale.ROOT, "event=sender-stopped stream=%s lastSequence=%d messages=%d",
                    cfg.stream(), lastSent.get(), messagesSent.get()));
        }
    }

    private record Outgoing(EncodedMessage message, int bytes) {
    }

    /** Checks, frames and FEC-encodes a polled batch and fsyncs its sequence assignments (the consumer's thread). */
    private Batch encodeBatch(ConsumerRecords<byte[], byte[]> records) throws IOException {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        List<Outgoing> out = new ArrayList<>();
        long max = 0;
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            commit.put(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1));
            String reason = check(rec);
            if (reason != null) {
                refused.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
                LOG.warning(String.format(Locale.ROOT, "event=refused topic=%s partition=%d offset=%d reason=%s",
                        rec.topic(), rec.partition(), rec.offset(), reason));
                continue;
            }
            byte[] body = new MessageBody(key(rec.key()), rec.value()).encode();
            byte[] digest = EncodedMessage.sha256(body);
            SendJournal.Assignment a = journal.assign(rec.topic(), rec.partition(), rec.offset(), digest);
            if (a.reused()) {
                reusedSequences.incrementAndGet();
            }
            max = Math.max(max, a.sequence());
            out.add(new Outgoing(EncodedMessage.encode(cfg.stream(), a.sequence(), body, digest, cfg.fec()), body.length));
        }
        journal.sync();
        return new Batch(out, commit, max);
    }

    /** Hands a batch to the transmit thread, waiting while {@link #BATCHES_IN_FLIGHT} are ahead of it. */
    private void enqueue(Batch batch) throws InterruptedException, IOException {
        while (!toSend.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            failIfTransmitFailed();
            completeSent();
        }
    }

    /** Journals and commits (asynchronously) the batches whose last datagram has left (the consumer's thread). */
    private void completeSent() throws IOException {
        failIfTransmitFailed();
        Batch b;
        while ((b = sent.poll()) != null) {
            if (b.maxSequence() > 0) {
                journal.transmitted(b.maxSequence());
            }
            // asynchronous so the next fetch overlaps it. A lost commit only means a re-send under the same
            // sequences after a restart, which the receiver collapses.
            committed.putAll(b.commit());
            consumer.commitAsync(b.commit(), (offsets, e) -> {
                if (e != null) {
                    LOG.warning("event=commit-failed error=" + e.getClass().getSimpleName());
                }
            });
        }
    }

    private void failIfTransmitFailed() throws IOException {
        Throwable t = transmitFailure;
        if (t != null) {
            throw new IOException("transmission failed: " + t, t);
        }
    }

    /** Lets the transmit thread send what is queued (a clean stop commits everything that left). */
    private void finishTransmitting(Thread transmitter) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!toSend.isEmpty() && transmitter.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // no interrupt: it would close the socket under a send (an interruptible channel); the thread notices the
        // flag within 50 ms of finishing its batch
        transmitting = false;
        transmitter.join(TimeUnit.SECONDS.toMillis(30));
        failIfTransmitFailed();
    }

    /** The transmit thread: paced sends of queued batches, and the repeats when they are due. */
    private void transmitLoop() {
        ByteBuffer buf = ByteBuffer.allocate(WireFormat.dataDatagramSize(cfg.stream(), cfg.fec().shardSize()));
        try {
            while (transmitting) {
                sendDueRepeats(buf);
                Batch b;
                try {
                    b = toSend.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (b == null) {
                    continue;
                }
                for (Outgoing o : b.out()) {
                    o.message().forEachDatagram(buf, 0, tx::send);
                    long seq = o.message().sequence();
                    lastSent.accumulateAndGet(seq, Math::max);
                    messagesSent.incrementAndGet();
                    if (LOG.isLoggable(Level.FINE)) {
                        LOG.fine(String.format(Locale.ROOT, "event=sent stream=%s sequence=%d bytes=%d datagrams=%d",
                                cfg.stream(), seq, o.bytes(), o.message().datagramCount()));
                    }
                    scheduleRepeat(o);
                }
                sent.add(b);
            }
        } catch (IOException | RuntimeException e) {
            LOG.severe("event=transmit-failed error=" + e);
            transmitFailure = e;
        }
    }

    private void commitTransmitted() {
        if (!committed.isEmpty()) {
            consumer.commitSync(committed);
        }
    }

    /** Refusal reason, or null when the value may cross. */
    private String check(ConsumerRecord<byte[], byte[]> rec) {
        if (rec.value() == null) {
            return "NO_VALUE";
        }
        if (rec.value().length > cfg.maxValueBytes()) {
            return "TOO_LARGE";
        }
        if (rec.key() != null && (rec.key().length > MessageBody.MAX_KEY_BYTES || key(rec.key()) == null)) {
            return "BAD_KEY";
        }
        try {
            classifier.classify(rec.value());
            return null;
        } catch (VerificationException e) {
            return e.reason().name();
        }
    }

    private static String key(byte[] k) {
        if (k == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(k)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void scheduleRepeat(Outgoing o) {
        if (cfg.repeatDelay().isZero()) {
            return;
        }
        long bytes = (long) o.message().datagramCount() * o.message().datagramSize();
        if (repeatBytes + bytes > MAX_REPEAT_BYTES) {
            return;
        }
        repeats.add(new Repeat(System.nanoTime() + cfg.repeatDelay().toNanos(), o.message(), bytes));
        repeatBytes += bytes;
    }

    private void sendDueRepeats(ByteBuffer buf) throws IOException {
        long now = System.nanoTime();
        while (!repeats.isEmpty() && repeats.peek().dueNanos() - now <= 0) {
            Repeat r = repeats.poll();
            repeatBytes -= r.bytes();
            r.message().forEachDatagram(buf, WireFormat.FLAG_REPEAT, tx::send);
        }
    }

    private void heartbeat() {
        try {
            heartbeats.send(tx, lastSent::get);
        } catch (IOException | RuntimeException e) {
            LOG.warning("event=heartbeat-failed error=" + e.getClass().getSimpleName());
        }
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    public long lastSequenceSent() {
        return lastSent.get();
    }

    public long messagesSent() {
        return messagesSent.get();
    }

    public long reusedSequences() {
        return reusedSequences.get();
    }

    public Map<String, Long> refusedByReason() {
        Map<String, Long> m = new HashMap<>();
        refused.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long datagramsSent() {
        return tx.datagramsSent();
    }

    public long bytesSent() {
        return tx.bytesSent();
    }

    @Override
    public void close() throws IOException {
        heartbeatTimer.shutdownNow();
        consumer.close();
        tx.close();
        journal.close();
    }
}
