package dev.airlock.diode.receive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.diode.config.ReceiverConfig;
import dev.airlock.diode.trust.ValueClassifier;
import dev.airlock.diode.wire.DataHeader;
import dev.airlock.diode.wire.EncodedMessage;
import dev.airlock.diode.wire.Frame;
import dev.airlock.diode.wire.FrameException;
import dev.airlock.diode.wire.MessageBody;
import dev.airlock.diode.wire.ResendRequest;
import dev.airlock.diode.wire.WireFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code diode-bridge receive}: the enclave end. A receive-only UDP socket (bound, never connected, never written);
 * datagrams are reassembled and repaired, each message's SHA-256 is checked, anything not a signed capsule or policy
 * DSSE is dropped and counted, and each message is produced exactly once (per (stream, sequence)) into
 * {@code airlock.inbound.v1}, in sequence order. Holes that stay open past the gap window are reported on
 * {@code airlock.diode.health.v1} with a resend-request file.
 *
 * <p>Threads: one reads the socket into a bounded queue and nothing else (so a slow Kafka never makes the kernel
 * buffer overflow sooner than it must); one engine thread owns all state.
 */
public final class DiodeReceiver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DiodeReceiver.class.getName());
    public static final String HEADER_STREAM = "airlock_diode_stream";
    public static final String HEADER_SEQ = "airlock_diode_seq";
    public static final String HEADER_DIGEST = "airlock_diode_digest";
    public static final String HEALTH_SCHEMA = "airlock.diode.health/v1";
    public static final String GAP_SCHEMA = "airlock.diode.gap/v1";
    public static final String HEARTBEAT_SCHEMA = "airlock.diode.heartbeat/v1";
    /** Persist the state after this many newly acknowledged sequences, or {@link #PERSIST_NANOS} after a change. */
    static final int PERSIST_EVERY = 256;
    private static final long PERSIST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Records produced but not yet acknowledged; beyond this the engine waits for the broker. */
    static final int MAX_IN_FLIGHT = 1024;

    private final ReceiverConfig cfg;
    private final ValueClassifier classifier;
    private final Clock clock;
    private final ReceiverState state;
    private final Map<String, StreamRuntime> streams = new HashMap<>();
    private final ArrayBlockingQueue<byte[]> queue;
    private final KafkaProducer<byte[], byte[]> producer;
    private final DatagramChannel channel;
    private final Map<String, AtomicLong> drops = new ConcurrentHashMap<>();
    private final AtomicLong datagrams = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong recovered = new AtomicLong();
    private final AtomicLong repairedMessages = new AtomicLong();
    private final AtomicLong gapsReported = new AtomicLong();
    private final AtomicLong missingReported = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong lateDatagrams = new AtomicLong();
    private final AtomicReference<Exception> produceFailure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(2);
    private volatile boolean running = true;
    private volatile Throwable fatal;
    private long pendingBytes;
    private int inFlight;
    private int unpersisted;
    private long firstUnpersistedNanos;
    private boolean stateDirty;
    private final java.util.concurrent.ConcurrentLinkedQueue<Ack> acks = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record Ack(StreamRuntime stream, long sequence, Exception failure) {
    }
    private long lastHealthNanos;
    private long lastExpiryNanos;

    /** Runtime of one stream; {@code st} is its persisted part. */
    private static final class StreamRuntime {
        final String id;
        final ReceiverState.Stream st;
        /** Produced (acknowledged or in flight) or refused: a copy of any of these is never looked at again. */
        final RangeSet processed = new RangeSet();
        /** processed ∪ reported gaps: what the in-order release has gone past. */
        final RangeSet passed = new RangeSet();
        final Map<Long, Assembly> assemblies = new HashMap<>();
        final TreeMap<Long, Message> held = new TreeMap<>();
        long heldBytes;
        long next;
        long maxKnown;
        /** (highest sequence known, when it became known), ascending in both; pruned below {@code next}. */
        final java.util.ArrayDeque<long[]> learned = new java.util.ArrayDeque<>();
        long lastHeartbeatSequence = -1;
        String lastHeartbeatAt;

        StreamRuntime(String id, ReceiverState.Stream st) {
            this.id = id;
            this.st = st;
            processed.addAll(st.done);
            passed.addAll(st.done);
            passed.addAll(st.reported);
            next = passed.firstAbsentFrom(1);
            maxKnown = Math.max(st.done.max(), st.reported.max());
        }

        void learn(long seq, long nowNanos) {
            if (seq > maxKnown) {
                maxKnown = seq;
                if (!learned.isEmpty() && nowNanos - learned.peekLast()[1] < TimeUnit.MILLISECONDS.toNanos(10)) {
                    learned.peekLast()[0] = seq;
                } else {
                    learned.addLast(new long[] {seq, nowNanos});
                }
            }
        }

        /** When this receiver first learned of a sequence ≥ {@code seq} (so that {@code seq} is due). */
        long knownSince(long seq, long nowNanos) {
            while (learned.size() > 1 && learned.peekFirst()[0] < seq) {
                learned.pollFirst();
            }
            long[] first = learned.peekFirst();
            return first != null && first[0] >= seq ? first[1] : nowNanos;
        }
    }

    private record Message(long sequence, byte[] digest, String key, byte[] value, ValueClassifier.Kind kind) {
    }

    /** Counters as seen by health records and tests. */
    public record Stats(long datagrams, long delivered, long recovered, long repairedMessages,
                        long gapsReported, long missingReported, long heartbeats, long lateDatagrams,
                        Map<String, Long> drops) {
    }

    public DiodeReceiver(ReceiverConfig cfg, ValueClassifier classifier, Clock clock) throws IOException {
        this.cfg = cfg;
        this.classifier = classifier;
        this.clock = clock;
        Files.createDirectories(cfg.stateDir());
        Files.createDirectories(cfg.resendDir());
        this.state = ReceiverState.load(cfg.stateDir());
        recoverFromInbound();
        for (Map.Entry<String, ReceiverState.Stream> e : state.streams.entrySet()) {
            streams.put(e.getKey(), new StreamRuntime(e.getKey(), e.getValue()));
        }
        this.queue = new ArrayBlockingQueue<>(cfg.queueDatagrams());
        this.producer = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
        StandardProtocolFamily family = cfg.listen().getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.channel = DatagramChannel.open(family);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, cfg.socketBufferBytes());
        channel.bind(cfg.listen());
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.putAll(cfg.kafka());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        // batches of many capsules per request: the default 16 KiB holds one 10 KB capsule, which caps throughput at
        // max.in.flight records per round trip
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1024 * 1024));
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                String.valueOf(Math.min(Integer.MAX_VALUE, cfg.maxValueBytes() + 1024 * 1024)));
        return p;
    }

    /**
     * Crash window: records acknowledged by Kafka whose sequences did not reach the state file yet. Every record this
     * receiver produces carries {@code airlock_diode_stream}/{@code airlock_diode_seq}, so the last
     * {@code receive.dedup-scan-records} records of each partition of the inbound topic are read back and their
     * sequences marked done before anything new is produced. The window is far larger than the most records ever
     * unpersisted at once (one flush batch).
     */
    private void recoverFromInbound() {
        Properties p = new Properties();
        p.putAll(cfg.kafka());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                String.valueOf(Math.min(Integer.MAX_VALUE, cfg.maxValueBytes() + 1024 * 1024)));
        int found = 0;
        Map<String, Long> lowestFound = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> parts = c.partitionsFor(Topics.INBOUND, Duration.ofSeconds(30));
            if (parts == null || parts.isEmpty()) {
                return;
            }
            List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(tps);
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            for (TopicPartition tp : tps) {
                c.seek(tp, Math.max(begin.get(tp), end.get(tp) - cfg.dedupScanRecords()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read back the tail of " + Topics.INBOUND);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Header hs = r.headers().lastHeader(HEADER_STREAM);
                    Header hq = r.headers().lastHeader(HEADER_SEQ);
                    if (hs == null || hq == null) {
                        continue;
                    }
                    try {
                        long seq = Long.parseLong(new String(hq.value(), StandardCharsets.US_ASCII));
                        String sid = new String(hs.value(), StandardCharsets.US_ASCII);
                        if (!state.streams.containsKey(sid) || lowestFound.containsKey(sid)) {
                            lowestFound.merge(sid, seq, Math::min);
                        }
                        ReceiverState.Stream st = state.stream(sid);
                        if (!st.done.contains(seq)) {
                            st.done.add(seq);
                            found++;
                        }
                    } catch (NumberFormatException e) {
                        // not ours
                    }
                }
            }
        }
        // A stream the state file does not know (state lost or never written): what lies below the scanned tail was
        // processed before and cannot be told apart from a gap. Assume it delivered rather than report old history
        // as missing — a duplicate into the enclave is the worse failure, and the gateway rejects replays anyway.
        lowestFound.forEach((sid, low) -> {
            if (low > 1) {
                state.stream(sid).done.addRange(1, low - 1);
                LOG.warning(String.format(Locale.ROOT,
                        "event=dedup-state-rebuilt stream=%s assumedDeliveredBelow=%d", sid, low));
            }
        });
        if (found > 0) {
            int f = found;
            LOG.info(() -> "event=dedup-recovered-from-inbound sequences=" + f);
        }
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Starts the socket reader and the engine threads. */
    public void start() {
        Thread rx = new Thread(this::readLoop, "diode-rx");
        Thread engine = new Thread(this::engineLoop, "diode-engine");
        rx.setDaemon(true);
        engine.setDaemon(true);
        rx.start();
        engine.start();
        LOG.info(() -> String.format(Locale.ROOT, "event=receiver-started listen=%s streams=%s", cfg.listen(),
                streams.keySet()));
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(WireFormat.MAX_DATAGRAM + 1);
        try {
            while (running) {
                buf.clear();
                channel.receive(buf);
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                if (!queue.offer(d)) {
                    drop("receiver_overflow");
                }
            }
        } catch (ClosedChannelException e) {
            // stopping
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            stopped.countDown();
        }
    }

    private void engineLoop() {
        try {
            List<byte[]> batch = new ArrayList<>(1024);
            while (running || !queue.isEmpty()) {
                byte[] d = queue.poll(5, TimeUnit.MILLISECONDS);
                if (d != null) {
                    batch.add(d);
                    queue.drainTo(batch, 1023);
                }
                long now = System.nanoTime();
                for (byte[] x : batch) {
                    handle(x, now);
                }
                batch.clear();
                for (StreamRuntime s : streams.values()) {
                    release(s, now);
                }
                drainAcks();
                if (inFlight > MAX_IN_FLIGHT) {
                    producer.flush();
                    drainAcks();
                }
                maybePersist(now, false);
                if (now - lastExpiryNanos > TimeUnit.SECONDS.toNanos(1)) {
                    expire(now);
                    lastExpiryNanos = now;
                }
                if (now - lastHealthNanos > cfg.healthInterval().toNanos()) {
                    publishHealth();
                    lastHealthNanos = now;
                }
            }
            publishHealth();
            producer.flush();
            drainAcks();
            maybePersist(System.nanoTime(), true);
        } catch (Throwable e) {
            fail(e);
        } finally {
            stopped.countDown();
        }
    }

    private void fail(Throwable e) {
        if (running) {
            fatal = e;
            LOG.log(Level.SEVERE, "event=receiver-failed error=" + e.getClass().getSimpleName() + " detail="
                    + e.getMessage());
            running = false;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void drop(String reason) {
        drops.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** Most streams one receiver tracks; datagrams of further stream ids are dropped (state must stay bounded). */
    static final int MAX_STREAMS = 64;

    /** The stream's runtime, or null when it would exceed {@link #MAX_STREAMS}. */
    private StreamRuntime stream(String id) {
        StreamRuntime s = streams.get(id);
        if (s == null) {
            if (streams.size() >= MAX_STREAMS) {
                drop("too_many_streams");
                return null;
            }
            s = new StreamRuntime(id, state.stream(id));
            streams.put(id, s);
        }
        return s;
    }

    private void handle(byte[] d, long now) {
        datagrams.incrementAndGet();
        Frame f;
        try {
            f = WireFormat.parse(d, d.length);
        } catch (FrameException e) {
            drop(e.reason());
            return;
        }
        if (f instanceof Frame.Heartbeat hb) {
            onHeartbeat(hb, now);
            return;
        }
        Frame.Data data = (Frame.Data) f;
        DataHeader h = data.header();
        StreamRuntime s = stream(data.stream());
        if (s == null) {
            return;
        }
        long seq = h.sequence();
        if (s.processed.contains(seq) || s.held.containsKey(seq)) {
            lateDatagrams.incrementAndGet();
            return;
        }
        Assembly a = s.assemblies.get(seq);
        if (a == null) {
            if (h.bodyLength() > cfg.maxValueBytes() + MessageBody.MAX_KEY_BYTES + 3) {
                drop("oversize");
                return;
            }
            if (!Assembly.plausible(h)) {
                drop("inconsistent_header");
                return;
            }
            a = new Assembly(h, now);
            if (pendingBytes + a.budget() > cfg.maxPendingBytes()) {
                drop("memory_pressure");
                return;
            }
            s.assemblies.put(seq, a);
            pendingBytes += a.budget();
            // The sender starts a message only after the previous one left, so a datagram of seq shows that
            // everything below it was sent. Not seq itself: a sender that died mid-message re-sends it after its
            // restart, and until a heartbeat (or a later message) says seq was sent whole, its hole is not due.
            s.learn(seq - 1, now);
        }
        switch (a.add(h, data.shard(), now)) {
            case INCONSISTENT -> drop("inconsistent_header");
            case DUPLICATE_SHARD, BLOCK_ALREADY_COMPLETE -> lateDatagrams.incrementAndGet();
            case ADDED -> {
                if (a.complete()) {
                    s.assemblies.remove(seq);
                    pendingBytes -= a.budget();
                    onComplete(s, a);
                }
            }
        }
    }

    private void onComplete(StreamRuntime s, Assembly a) {
        byte[] body = a.body();
        if (a.repairedBlocks() > 0) {
            repairedMessages.incrementAndGet();
        }
        long seq = a.sequence();
        if (!java.security.MessageDigest.isEqual(EncodedMessage.sha256(body), a.digest())) {
            // cannot happen with CRC-checked datagrams unless someone forged them; a repeat may still succeed
            drop("digest_mismatch");
            LOG.warning(String.format(Locale.ROOT, "event=digest-mismatch stream=%s sequence=%d", s.id, seq));
            return;
        }
        MessageBody mb;
        ValueClassifier.Kind kind;
        try {
            mb = MessageBody.decode(body);
            kind = classifier.classify(mb.value());
        } catch (FrameException e) {
            refuse(s, seq, e.reason());
            return;
        } catch (VerificationException e) {
            refuse(s, seq, "refused_" + e.reason().name());
            return;
        }
        Message m = new Message(seq, a.digest(), mb.key(), mb.value(), kind);
        if (seq < s.next) {
            // a reported gap filled late (repetition or operator resend): deliver now, order is already lost
            recovered.incrementAndGet();
            LOG.info(String.format(Locale.ROOT, "event=gap-recovered stream=%s sequence=%d", s.id, seq));
            produce(s, m);
        } else {
            s.held.put(seq, m);
            s.heldBytes += m.value().length;
        }
    }

    private void refuse(StreamRuntime s, long seq, String reason) {
        drop(reason);
        LOG.warning(String.format(Locale.ROOT, "event=message-dropped stream=%s sequence=%d reason=%s", s.id, seq, reason));
        // the whole message arrived: it is not a gap, and a copy of it must not be looked at again
        s.st.done.add(seq);
        s.processed.add(seq);
        s.passed.add(seq);
        markDirty();
    }

    private void onHeartbeat(Frame.Heartbeat hb, long now) {
        HeartbeatCheck.Payload p;
        try {
            p = HeartbeatCheck.check(hb.dsse());
        } catch (VerificationException e) {
            drop("bad_heartbeat");
            return;
        }
        if (!p.stream().equals(hb.stream())) {
            drop("bad_heartbeat");
            return;
        }
        StreamRuntime s = stream(hb.stream());
        if (s == null) {
            return;
        }
        if (p.lastSequence() > s.maxKnown + ResendRequest.MAX_RANGE) {
            // unverified here: a forged or corrupted heartbeat must not open a hole of billions of sequences
            drop("bad_heartbeat");
            return;
        }
        heartbeats.incrementAndGet();
        s.lastHeartbeatSequence = p.lastSequence();
        s.lastHeartbeatAt = StrictJson.formatInstant(p.sentAt());
        s.learn(p.lastSequence(), now);
        ObjectNode rec = StrictJson.mapper().createObjectNode();
        rec.put("schema", HEARTBEAT_SCHEMA);
        rec.put("stream", hb.stream());
        rec.put("receivedAt", StrictJson.formatInstant(clock.instant()));
        try {
            rec.set("envelope", StrictJson.mapper().readTree(hb.dsse()));
        } catch (IOException e) {
            drop("bad_heartbeat");
            return;
        }
        sendHealth(hb.stream(), rec);
    }

    /** Releases held messages in sequence order; declares a gap when the hole at {@code next} outlives the window. */
    private void release(StreamRuntime s, long now) {
        while (true) {
            Message m = s.held.remove(s.next);
            if (m != null) {
                s.heldBytes -= m.value().length;
                produce(s, m);
                continue;
            }
            boolean hole = s.maxKnown >= s.next || !s.held.isEmpty();
            if (!hole) {
                return;
            }
            // the hole is due one window after we first heard of anything at or beyond it, or after its own last
            // datagram when part of it is still arriving
            Assembly inProgress = s.assemblies.get(s.next);
            long since = Math.max(s.knownSince(s.next, now), inProgress == null ? 0 : inProgress.lastActivityNanos);
            boolean expired = now - since >= cfg.gapWindow().toNanos();
            boolean tooMuchHeld = s.heldBytes > cfg.maxPendingBytes() / 2;
            if (!expired && !tooMuchHeld) {
                return;
            }
            long end = s.maxKnown;
            if (!s.held.isEmpty()) {
                end = Math.min(end, s.held.firstKey() - 1);
            }
            end = Math.min(end, s.processed.firstMemberAbove(s.next) - 1);
            for (Long inflight : s.assemblies.keySet()) {
                if (inflight > s.next) {
                    end = Math.min(end, inflight - 1);
                }
            }
            reportGap(s, s.next, Math.max(s.next, end));
        }
    }

    private void reportGap(StreamRuntime s, long from, long to) {
        s.st.reported.addRange(from, to);
        s.passed.addRange(from, to);
        s.next = s.passed.firstAbsentFrom(s.next);
        markDirty();
        gapsReported.incrementAndGet();
        missingReported.addAndGet(to - from + 1);
        Path file = cfg.resendDir().resolve(String.format(Locale.ROOT, "resend-%s-%d-%d.json", s.id, from, to));
        long reqTo = Math.min(to, from + ResendRequest.MAX_RANGE - 1);
        ResendRequest req = new ResendRequest(ResendRequest.SCHEMA, s.id, from, reqTo, clock.instant(), cfg.receiverId());
        try {
            Files.write(file, StrictJson.writePretty(req));
        } catch (IOException e) {
            LOG.warning("event=resend-request-write-failed file=" + file);
        }
        ObjectNode rec = StrictJson.mapper().createObjectNode();
        rec.put("schema", GAP_SCHEMA);
        rec.put("receiver", cfg.receiverId());
        rec.put("stream", s.id);
        rec.put("from", from);
        rec.put("to", to);
        rec.put("missing", to - from + 1);
        rec.put("detectedAt", StrictJson.formatInstant(clock.instant()));
        rec.put("resendRequest", file.toString());
        sendHealth(s.id, rec);
        LOG.warning(String.format(Locale.ROOT, "event=gap stream=%s from=%d to=%d resendRequest=%s", s.id, from, to, file));
    }

    private void produce(StreamRuntime s, Message m) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.INBOUND, null,
                m.key() == null ? null : m.key().getBytes(StandardCharsets.UTF_8), m.value());
        String ceTime = StrictJson.formatInstant(clock.instant());
        r.headers().add(HEADER_STREAM, s.id.getBytes(StandardCharsets.US_ASCII))
                .add(HEADER_SEQ, Long.toString(m.sequence()).getBytes(StandardCharsets.US_ASCII))
                .add(HEADER_DIGEST, ("sha256:" + HexFormat.of().formatHex(m.digest())).getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_SPECVERSION, "1.0".getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_TYPE, m.kind().schema().getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_SOURCE, ("airlock/diode-bridge/" + s.id).getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_ID, (s.id + ":" + m.sequence()).getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_TIME, ceTime.getBytes(StandardCharsets.US_ASCII));
        long seq = m.sequence();
        // the state file only ever records acknowledged sequences; in-flight ones are covered by the inbound tail scan
        producer.send(r, (md, ex) -> acks.add(new Ack(s, seq, ex)));
        inFlight++;
        s.processed.add(seq);
        s.passed.add(seq);
        s.next = s.passed.firstAbsentFrom(s.next);
        delivered.incrementAndGet();
    }

    private void markDirty() {
        if (!stateDirty) {
            stateDirty = true;
            firstUnpersistedNanos = System.nanoTime();
        }
    }

    private void drainAcks() throws IOException {
        Ack a;
        while ((a = acks.poll()) != null) {
            inFlight--;
            if (a.failure() != null) {
                produceFailure.compareAndSet(null, a.failure());
                continue;
            }
            a.stream().st.done.add(a.sequence());
            unpersisted++;
            markDirty();
        }
        Exception e = produceFailure.get();
        if (e != null) {
            // stop without persisting more: after a restart the unacknowledged sequences are not marked done
            throw new IOException("producing to " + Topics.INBOUND + " failed: " + e.getMessage(), e);
        }
    }

    private void maybePersist(long now, boolean force) throws IOException {
        if (!stateDirty || !(force || unpersisted >= PERSIST_EVERY || now - firstUnpersistedNanos >= PERSIST_NANOS)) {
            return;
        }
        state.save(cfg.stateDir());
        unpersisted = 0;
        stateDirty = false;
    }

    private void expire(long now) {
        long timeout = cfg.reassemblyTimeout().toNanos();
        for (StreamRuntime s : streams.values()) {
            s.assemblies.entrySet().removeIf(e -> {
                Assembly a = e.getValue();
                if (now - a.lastActivityNanos > timeout && s.passed.contains(e.getKey())) {
                    drop("incomplete_expired");
                    pendingBytes -= a.budget();
                    return true;
                }
                return false;
            });
        }
    }

    private void publishHealth() {
        ObjectNode rec = StrictJson.mapper().createObjectNode();
        rec.put("schema", HEALTH_SCHEMA);
        rec.put("receiver", cfg.receiverId());
        rec.put("at", StrictJson.formatInstant(clock.instant()));
        Stats st = stats();
        rec.put("datagrams", st.datagrams());
        rec.put("heartbeatsSeen", st.heartbeats());
        rec.put("messagesDelivered", st.delivered());
        rec.put("messagesRepaired", st.repairedMessages());
        rec.put("messagesRecovered", st.recovered());
        rec.put("lateDatagrams", st.lateDatagrams());
        rec.put("gaps", st.gapsReported());
        rec.put("missingMessages", st.missingReported());
        ObjectNode d = rec.putObject("drops");
        new TreeMap<>(st.drops()).forEach(d::put);
        ArrayNode arr = rec.putArray("streams");
        for (StreamRuntime s : streams.values()) {
            ObjectNode o = arr.addObject();
            o.put("stream", s.id);
            o.put("nextExpected", s.next);
            o.put("highestKnown", s.maxKnown);
            o.put("lastHeartbeatSequence", s.lastHeartbeatSequence);
            if (s.lastHeartbeatAt != null) {
                o.put("lastHeartbeatSentAt", s.lastHeartbeatAt);
            }
            o.put("inProgress", s.assemblies.size());
            o.put("held", s.held.size());
        }
        sendHealth(cfg.receiverId(), rec);
    }

    private void sendHealth(String key, ObjectNode rec) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.DIODE_HEALTH, key.getBytes(StandardCharsets.UTF_8),
                StrictJson.write(rec));
        r.headers().add(Topics.CE_SPECVERSION, "1.0".getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_TYPE, rec.get("schema").asText().getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_SOURCE, ("airlock/diode-bridge/" + cfg.receiverId()).getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_ID, java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII))
                .add(Topics.CE_TIME, StrictJson.formatInstant(clock.instant()).getBytes(StandardCharsets.US_ASCII));
        producer.send(r, (md, ex) -> {
            if (ex != null) {
                LOG.warning("event=health-produce-failed error=" + ex.getClass().getSimpleName());
            }
        });
    }

    public Stats stats() {
        Map<String, Long> m = new HashMap<>();
        drops.forEach((k, v) -> m.put(k, v.get()));
        return new Stats(datagrams.get(), delivered.get(), recovered.get(), repairedMessages.get(),
                gapsReported.get(), missingReported.get(), heartbeats.get(), lateDatagrams.get(), m);
    }

    /** The failure that stopped the receiver, if any. */
    public Throwable failure() {
        return fatal;
    }

    public boolean isRunning() {
        return running;
    }

    /** Blocks until the receiver stops (by {@link #close()} or a fatal error). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() throws IOException {
        running = false;
        channel.close();
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
