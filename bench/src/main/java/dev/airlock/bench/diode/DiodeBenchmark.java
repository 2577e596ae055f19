package dev.airlock.bench.diode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.config.ReceiverConfig;
import dev.airlock.diode.config.SenderConfig;
import dev.airlock.diode.config.Settings;
import dev.airlock.diode.fec.BlockLayout;
import dev.airlock.diode.fec.FecParams;
import dev.airlock.diode.receive.DiodeReceiver;
import dev.airlock.diode.send.DiodeSender;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.FaultyRelay;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import dev.airlock.diode.trust.Trust;
import dev.airlock.diode.wire.WireFormat;
import dev.airlock.testsupport.TempDirs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Goodput of the diode through real Kafka on both sides: capsules pre-loaded on a control-side broker, consumed by
 * {@code diode-bridge send}, carried over loopback UDP (through the fault-injecting relay for lossy runs) to
 * {@code diode-bridge receive}, produced into {@code airlock.inbound.v1} on a separate enclave-side broker. The clock
 * runs from the sender's start to the broker timestamp of the last inbound record.
 *
 * <p>Reference: the raw loopback UDP rate measured in the same run with the same datagram size. Target (issue
 * «diode-bridge»): goodput ≥ 70 % of link rate ÷ (1 + FEC overhead), with the link rate being the sender's configured
 * rate limit and the overhead the parity actually sent for that capsule size.
 *
 * <p>Usage: {@code DiodeBenchmark [--out bench/results/diode.json] [--link-rate-mbps 20,60] [--scale F] [--only LABEL]}.
 */
public final class DiodeBenchmark {
    private static final Logger LOG = Logger.getLogger(DiodeBenchmark.class.getName());

    private record Run(String label, int capsuleBytes, int count, double loss, FecParams fec) {
        /** The same shape, fewer capsules, for the untimed warm-up pass. */
        Run warmup(int divisor) {
            return new Run("warmup-" + label, capsuleBytes, Math.max(10, count / divisor), loss, fec);
        }
    }

    /** The untimed warm-up carries a quarter of each run's capsules (override: -Dbench.warmup-divisor). */
    private static final int WARMUP_DIVISOR = Integer.getInteger("bench.warmup-divisor", 4);

    public static void main(String[] args) throws Exception {
        Path out = Path.of("bench/results/diode.json");
        List<Double> linkRates = List.of(20.0, 60.0);
        double scale = 1.0;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--link-rate-mbps" -> linkRates = java.util.Arrays.stream(args[++i].split(","))
                        .map(Double::parseDouble).toList();
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        Logger.getLogger("org.apache.kafka").setLevel(Level.SEVERE);
        Logger.getLogger("kafka").setLevel(Level.SEVERE);

        // the 5 % runs: the same rule, sized for the link's loss rate (fec.design-loss-percent=5)
        FecParams lossy = new FecParams(FecParams.DEFAULT.shardSize(), FecParams.DEFAULT.maxDataShards(),
                FecParams.DEFAULT.overheadPercent(), FecParams.DEFAULT.minParity(), 0.05);
        List<Run> runs = List.of(
                new Run("10KB-0%", 10_000, (int) (10_000 * scale), 0, FecParams.DEFAULT),
                new Run("1MB-0%", 1_000_000, (int) (200 * scale), 0, FecParams.DEFAULT),
                new Run("10KB-5%", 10_000, (int) (10_000 * scale), 0.05, lossy),
                new Run("1MB-5%", 1_000_000, (int) (200 * scale), 0.05, lossy));

        Path tmp = Files.createTempDirectory("diode-bench");
        ObjectNode doc = StrictJson.mapper().createObjectNode();
        doc.put("name", "diode");
        doc.put("description", "diode-bridge goodput through real Kafka on both sides, loopback UDP");
        ArrayNode results = doc.putArray("runs");
        try (TestKafka control = new TestKafka(); TestKafka enclave = new TestKafka()) {
            int datagram = WireFormat.dataDatagramSize("bench-10000-0", FecParams.DEFAULT.shardSize());
            double rawBps = RawUdp.measure(datagram, 3000);
            System.err.printf(Locale.ROOT, "reference: raw loopback UDP %.1f MB/s with %d-byte datagrams%n",
                    rawBps / 1e6, datagram);
            Fixtures fix = new Fixtures();
            // A bridge runs for months: measure it with the JIT compiler done, not busy. One untimed pass of every
            // run shape at the highest link rate compiles the sender, receiver, FEC and both brokers' hot paths (a
            // cold first run spent a third of its CPU in the compiler threads).
            double warmRate = linkRates.stream().mapToDouble(Double::doubleValue).max().orElse(60);
            for (Run run : runs) {
                if (only == null || run.label().equals(only)) {
                    run(run.warmup(WARMUP_DIVISOR), control, enclave, fix, tmp, warmRate, rawBps, datagram);
                }
            }
            for (double linkMBps : linkRates) {
                for (Run run : runs) {
                    if (only != null && !run.label().equals(only)) {
                        continue;
                    }
                    results.add(run(run, control, enclave, fix, tmp, linkMBps, rawBps, datagram));
                }
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, StrictJson.writePretty(doc));
        System.err.println("wrote " + out);
        TempDirs.deleteTree(tmp); // kept when the run fails: the bridges' spools are there
        System.exit(0);
    }

    private static ObjectNode run(Run run, TestKafka control, TestKafka enclave, Fixtures fix, Path tmp,
                                  double linkMBps, double rawBps, int datagramBytes) throws Exception {
        String stream = String.format(Locale.ROOT, "%s-%d-%d-%d",
                run.label().startsWith("warmup-") ? "warm" : "bench", run.capsuleBytes(), Math.round(run.loss() * 100),
                Math.round(linkMBps));
        List<Map.Entry<String, byte[]>> capsules = new ArrayList<>();
        long valueBytes = 0;
        long dataShards = 0;
        long parityShards = 0;
        for (int i = 0; i < run.count(); i++) {
            String id = stream + "-" + i;
            byte[] v = fix.signedCapsule(id, run.capsuleBytes(), i);
            capsules.add(new AbstractMap.SimpleImmutableEntry<>(id, v));
            valueBytes += v.length;
            BlockLayout l = BlockLayout.forSend(v.length + id.length() + 3, run.fec());
            for (int b = 0; b < l.blocks(); b++) {
                dataShards += l.dataShards(b);
                parityShards += run.fec().parityFor(l.dataShards(b));
            }
        }
        control.startGroupAtEnd(stream, Topics.CAPSULES_SIGNED);
        control.produce(Topics.CAPSULES_SIGNED, capsules);

        Path dir = Files.createDirectories(tmp.resolve(stream));
        Properties rxp = new Properties();
        rxp.setProperty("kafka.bootstrap.servers", enclave.bootstrap());
        rxp.setProperty(Keys.RECEIVE_LISTEN, "127.0.0.1:0");
        rxp.setProperty(Keys.RECEIVE_STATE_DIR, dir.resolve("rx").toString());
        rxp.setProperty(Keys.RECEIVE_GAP_WINDOW_MS, "1500");
        rxp.setProperty(Keys.RECEIVE_SOCKET_BUFFER, String.valueOf(32 * 1024 * 1024));
        rxp.setProperty(Keys.RECEIVE_MAX_PENDING_BYTES, String.valueOf(512L * 1024 * 1024));
        DiodeReceiver receiver = new DiodeReceiver(ReceiverConfig.from(new Settings(rxp)),
                Trust.classifier(SenderConfig.DEFAULT_MAX_VALUE_BYTES), Clock.systemUTC());
        receiver.start();
        InetSocketAddress rxAddr = new InetSocketAddress("127.0.0.1", receiver.localAddress().getPort());
        FaultyRelay relay = run.loss() > 0 ? new FaultyRelay(rxAddr, Faults.iid(run.loss(), 42)) : null;
        InetSocketAddress sendTo = relay != null ? relay.address() : rxAddr;

        Path key = dir.resolve("bridge.key.pem");
        Files.writeString(key, Fixtures.newKeyPem());
        Properties txp = new Properties();
        txp.setProperty("kafka.bootstrap.servers", control.bootstrap());
        txp.setProperty(Keys.STREAM, stream);
        txp.setProperty(Keys.SEND_GROUP, stream);
        txp.setProperty(Keys.SEND_TARGET, "127.0.0.1:" + sendTo.getPort());
        txp.setProperty(Keys.SEND_JOURNAL_DIR, dir.resolve("tx").toString());
        txp.setProperty(Keys.SEND_RATE, String.valueOf((long) (linkMBps * 1e6)));
        txp.setProperty(Keys.SEND_MAX_POLL_RECORDS, run.capsuleBytes() > 100_000 ? "8" : "200");
        txp.setProperty(Keys.FEC_OVERHEAD_PERCENT, String.valueOf(run.fec().overheadPercent()));
        txp.setProperty(Keys.FEC_MIN_PARITY, String.valueOf(run.fec().minParity()));
        txp.setProperty(Keys.FEC_DESIGN_LOSS_PERCENT, String.valueOf(run.fec().designLoss() * 100));
        txp.setProperty(Keys.HEARTBEAT_KEY_FILE, key.toString());
        txp.setProperty(Keys.BRIDGE_ID, "bridge.bench");
        SenderConfig scfg = SenderConfig.from(new Settings(txp));
        DiodeSender sender = new DiodeSender(scfg, Trust.classifier(scfg.maxValueBytes()),
                Trust.heartbeatSigner(scfg.bridgeId(), Files.readString(key)), Clock.systemUTC());

        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, enclave.bootstrap());
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TestKafka.MAX_MESSAGE_BYTES);
        long delivered = 0;
        long deliveredBytes = 0;
        long lastTimestamp = 0;
        long firstTimestamp = Long.MAX_VALUE;
        long firstBytes = 0;
        long t0;
        long t0Nanos;
        try (KafkaConsumer<byte[], byte[]> inbound = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.INBOUND, 0);
            inbound.assign(List.of(tp));
            inbound.seekToEnd(List.of(tp));
            inbound.position(tp);
            Thread st = new Thread(() -> {
                try {
                    sender.run();
                } catch (Exception e) {
                    LOG.severe("sender failed: " + e);
                }
            }, "bench-sender");
            System.err.printf(Locale.ROOT, "%-8s sending %d capsules at %.0f MB/s%n", run.label(), run.count(),
                    linkMBps);
            t0 = System.currentTimeMillis();
            t0Nanos = System.nanoTime();
            st.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : inbound.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader(DiodeReceiver.HEADER_STREAM);
                    if (h != null && stream.equals(new String(h.value(), StandardCharsets.US_ASCII))) {
                        delivered++;
                        deliveredBytes += r.value().length;
                        lastTimestamp = Math.max(lastTimestamp, r.timestamp());
                        if (r.timestamp() < firstTimestamp) {
                            firstTimestamp = r.timestamp();
                            firstBytes = r.value().length;
                        }
                    }
                }
                DiodeReceiver.Stats s = receiver.stats();
                if (delivered + s.missingReported() >= run.count() && sender.lastSequenceSent() == run.count()) {
                    break;
                }
            }
            sender.stop();
            st.join(30_000);
        }
        // steady state: from the first capsule produced into the enclave to the last one (the consumer group join and
        // the first fetch on the control side are start-up, reported separately)
        double seconds = (lastTimestamp - firstTimestamp) / 1000.0;
        double startup = (firstTimestamp - t0) / 1000.0;
        deliveredBytes -= firstBytes;
        long counted = delivered - 1;
        DiodeReceiver.Stats stats = receiver.stats();
        long datagrams = sender.datagramsSent();
        long wireBytes = sender.bytesSent();
        sender.close();
        receiver.close();
        if (relay != null) {
            relay.close();
        }
        double goodput = deliveredBytes / seconds;
        double fecOverhead = (double) parityShards / dataShards;
        double target = 0.7 * linkMBps * 1e6 / (1 + fecOverhead);
        ObjectNode o = StrictJson.mapper().createObjectNode();
        o.put("name", "diode." + run.label() + "@" + Math.round(linkMBps) + "MBps");
        o.put("metric", "goodput");
        o.put("unit", "MB/s");
        o.put("value", round(goodput / 1e6));
        o.put("reference", "raw loopback UDP rate, same run, same datagram size, one unthrottled sender thread");
        o.put("referenceValue", round(rawBps / 1e6));
        o.put("ratio", round(goodput / rawBps));
        ObjectNode p = o.putObject("params");
        p.put("capsuleBytes", run.capsuleBytes());
        p.put("capsules", run.count());
        p.put("warmupCapsules", run.warmup(WARMUP_DIVISOR).count());
        p.put("warmup", "one untimed pass of every run shape at the highest link rate before the first measured run");
        p.put("loss", run.loss());
        p.put("lossModel", run.loss() > 0 ? "i.i.d. drop in the relay (seed 42)" : "none, sender to receiver directly");
        p.put("fec", run.fec().toString());
        p.put("datagramBytes", datagramBytes);
        p.put("linkRateMBps", linkMBps);
        o.set("machine", machine());
        o.put("date", Instant.now().toString());
        o.put("capsulesPerSec", round(counted / seconds));
        o.put("startupSeconds", round(startup));
        o.put("timing", "first to last inbound record (broker timestamps); the first capsule's bytes are not counted");
        o.put("seconds", round(seconds));
        o.put("delivered", delivered);
        o.put("deliveredBytes", deliveredBytes);
        o.put("gapsReported", stats.gapsReported());
        o.put("missingReported", stats.missingReported());
        o.put("messagesRepairedByFec", stats.repairedMessages());
        o.set("receiverDrops", StrictJson.mapper().valueToTree(stats.drops()));
        o.put("effectiveFecOverhead", round(fecOverhead));
        o.put("datagramsSent", datagrams);
        o.put("wireMBps", round(wireBytes / seconds / 1e6));
        o.put("linkRateMBps", linkMBps);
        o.put("targetMBps", round(target / 1e6));
        o.put("ratioToTarget", round(goodput / target));
        o.put("targetMet", goodput >= target);
        o.put("ratioToLinkRate", round(goodput / (linkMBps * 1e6)));
        System.err.printf(Locale.ROOT,
                "%-8s %5d capsules in %6.2fs: goodput %7.2f MB/s, %8.1f capsules/s; link %.0f MB/s, target %.2f MB/s (%s); gaps %d%n",
                run.label(), delivered, seconds, goodput / 1e6, counted / seconds, linkMBps, target / 1e6,
                goodput >= target ? "met" : "MISSED", stats.missingReported());
        return o;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static ObjectNode machine() {
        ObjectNode m = StrictJson.mapper().createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapMB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            // other processes share the cores: the load average tells how much
            m.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
        } catch (java.io.IOException e) {
            m.put("loadAverage", "unknown");
        }
        try {
            m.put("host", InetAddress.getLocalHost().getHostName());
        } catch (java.io.IOException e) {
            m.put("host", "unknown");
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (java.io.IOException e) {
            // not Linux
        }
        return m;
    }
}
