package dev.airlock.diode.testing;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.config.ReceiverConfig;
import dev.airlock.diode.config.SenderConfig;
import dev.airlock.diode.config.Settings;
import dev.airlock.diode.receive.DiodeReceiver;
import dev.airlock.diode.send.DiodeSender;
import dev.airlock.diode.trust.Trust;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Sender → fault-injecting relay → receiver on loopback, in this JVM, against real brokers (one for the control
 * side, one for the enclave side; they may be the same broker in tests).
 */
public final class Bridge implements AutoCloseable {
    public final TestKafka control;
    public final TestKafka enclave;
    public final Path dir;
    public final Properties overrides = new Properties();
    public FaultyRelay relay;
    public DiodeReceiver receiver;
    public DiodeSender sender;
    private Thread senderThread;
    private final String bridgeKeyPem = Fixtures.newKeyPem();
    private final Faults faults;

    public Bridge(TestKafka control, TestKafka enclave, Path dir, Faults faults) {
        this.control = control;
        this.enclave = enclave;
        this.dir = dir;
        this.faults = faults;
    }

    public Properties receiverProps() {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", enclave.bootstrap());
        p.setProperty(Keys.RECEIVE_LISTEN, "127.0.0.1:0");
        p.setProperty(Keys.RECEIVE_STATE_DIR, dir.resolve("receiver").toString());
        p.setProperty(Keys.RECEIVE_GAP_WINDOW_MS, "600");
        p.setProperty(Keys.RECEIVE_REASSEMBLY_TIMEOUT_MS, "5000");
        p.setProperty(Keys.RECEIVE_HEALTH_INTERVAL_MS, "1000");
        p.setProperty(Keys.RECEIVE_SOCKET_BUFFER, String.valueOf(16 * 1024 * 1024));
        copyOverrides(p, "receive.", "stream");
        return p;
    }

    public Properties senderProps() throws IOException {
        Path key = dir.resolve("bridge.key.pem");
        if (!Files.exists(key)) {
            Files.createDirectories(dir);
            Files.writeString(key, bridgeKeyPem, StandardCharsets.US_ASCII);
        }
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", control.bootstrap());
        p.setProperty(Keys.SEND_TARGET, "127.0.0.1:" + relay.address().getPort());
        p.setProperty(Keys.SEND_JOURNAL_DIR, dir.resolve("sender").toString());
        p.setProperty(Keys.SEND_RATE, "40000000");
        p.setProperty(Keys.HEARTBEAT_INTERVAL_MS, "200");
        p.setProperty(Keys.HEARTBEAT_KEY_FILE, key.toString());
        p.setProperty(Keys.BRIDGE_ID, "bridge.diode-1");
        copyOverrides(p, "send.", "fec.", "heartbeat.", "stream");
        return p;
    }

    private void copyOverrides(Properties p, String... prefixes) {
        for (String k : overrides.stringPropertyNames()) {
            for (String pre : prefixes) {
                if (k.startsWith(pre)) {
                    p.setProperty(k, overrides.getProperty(k));
                }
            }
        }
    }

    public Bridge startReceiver() throws IOException {
        receiver = new DiodeReceiver(ReceiverConfig.from(new Settings(receiverProps())),
                Trust.classifier(SenderConfig.DEFAULT_MAX_VALUE_BYTES), Clock.systemUTC());
        receiver.start();
        if (relay == null) {
            relay = new FaultyRelay(new InetSocketAddress("127.0.0.1", receiver.localAddress().getPort()), faults);
        }
        return this;
    }

    private int receiverPort;

    /** Stops the receiver (as an outage would); {@link #restartReceiver()} brings it back on the same port. */
    public void stopReceiver() throws IOException {
        receiverPort = receiver.localAddress().getPort();
        receiver.close();
    }

    /** Restarts the receiver on the same port and state directory. */
    public void restartReceiver() throws IOException {
        int port = receiverPort;
        Properties p = receiverProps();
        p.setProperty(Keys.RECEIVE_LISTEN, "127.0.0.1:" + port);
        receiver = new DiodeReceiver(ReceiverConfig.from(new Settings(p)),
                Trust.classifier(SenderConfig.DEFAULT_MAX_VALUE_BYTES), Clock.systemUTC());
        receiver.start();
    }

    public SenderConfig senderConfig() throws IOException {
        return SenderConfig.from(new Settings(senderProps()));
    }

    public Bridge startSender() throws IOException {
        SenderConfig cfg = senderConfig();
        sender = new DiodeSender(cfg, Trust.classifier(cfg.maxValueBytes()),
                Trust.heartbeatSigner(cfg.bridgeId(), bridgeKeyPem), Clock.systemUTC());
        DiodeSender s = sender;
        senderThread = new Thread(() -> {
            try {
                s.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "test-sender");
        senderThread.start();
        return this;
    }

    public void stopSender() throws IOException, InterruptedException {
        if (sender != null) {
            sender.stop();
            senderThread.join(30_000);
            sender.close();
            sender = null;
        }
    }

    /** Inbound records per key and the (stream, seq) headers seen. */
    public static Map<String, Integer> countByKey(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            m.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return m;
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
    }

    public static String inboundTopic() {
        return Topics.INBOUND;
    }

    @Override
    public void close() throws Exception {
        stopSender();
        if (receiver != null) {
            receiver.close();
        }
        if (relay != null) {
            relay.close();
        }
    }
}
