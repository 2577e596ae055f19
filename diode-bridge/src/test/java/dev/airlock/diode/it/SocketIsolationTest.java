package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.testing.DiodeProcess;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.FaultyRelay;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.ProcSockets;
import dev.airlock.diode.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §1 invariant 1, observed from the outside while sender and receiver run as separate processes:
 * <ul>
 * <li>sender: exactly one UDP socket, connect()ed to the relay (the kernel delivers nothing to it from any other
 * address); a datagram the relay sends to it from the one address the kernel would accept stays unread in its receive
 * queue for the rest of the run — the process never reads its socket; no listening TCP socket; TCP only to the
 * control broker;</li>
 * <li>receiver: exactly one UDP socket, bound to the listen port and not connected, with an empty send queue; the
 * relay's downstream socket — the only source address the receiver ever sees — receives no datagram during the whole
 * run; no listening TCP socket; TCP only to the enclave broker.</li>
 * </ul>
 * What this does not prove: that no code path could ever send (that is what the code review of
 * {@code DiodeReceiver}, which never calls send/write/connect on its channel, is for); the counters cover this run.
 */
class SocketIsolationTest {

    @Test
    void senderNeverReadsAndReceiverNeverSends(@TempDir Path dir) throws Exception {
        try (TestKafka kafka = new TestKafka()) {
            int brokerPort = Integer.parseInt(kafka.bootstrap().substring(kafka.bootstrap().lastIndexOf(':') + 1));
            int rxPort = DiodeProcess.freeUdpPort();
            Fixtures fix = new Fixtures();
            List<Map.Entry<String, byte[]>> capsules = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                capsules.add(new AbstractMap.SimpleImmutableEntry<>("sock-" + i, fix.signedCapsule("sock-" + i, 4000, i)));
            }
            Path key = dir.resolve("bridge.key.pem");
            Files.writeString(key, Fixtures.newKeyPem());
            try (FaultyRelay relay = new FaultyRelay(new InetSocketAddress("127.0.0.1", rxPort), Faults.iid(0.01, 3))) {
                Properties rx = new Properties();
                rx.setProperty("kafka.bootstrap.servers", kafka.bootstrap());
                rx.setProperty(Keys.STREAM, "sockets");
                rx.setProperty(Keys.RECEIVE_LISTEN, "127.0.0.1:" + rxPort);
                rx.setProperty(Keys.RECEIVE_STATE_DIR, dir.resolve("rx").toString());
                rx.setProperty(Keys.RECEIVE_GAP_WINDOW_MS, "1000");
                Properties tx = new Properties();
                tx.setProperty("kafka.bootstrap.servers", kafka.bootstrap());
                tx.setProperty(Keys.STREAM, "sockets");
                tx.setProperty(Keys.SEND_TARGET, "127.0.0.1:" + relay.address().getPort());
                tx.setProperty(Keys.SEND_JOURNAL_DIR, dir.resolve("tx").toString());
                tx.setProperty(Keys.SEND_RATE, "2000000");
                tx.setProperty(Keys.HEARTBEAT_KEY_FILE, key.toString());
                tx.setProperty(Keys.HEARTBEAT_INTERVAL_MS, "200");
                tx.setProperty(Keys.BRIDGE_ID, "bridge.diode-1");
                try (DiodeProcess receiver = DiodeProcess.start("receive", rx, dir, "receiver");
                     DiodeProcess sender = DiodeProcess.start("send", tx, dir, "sender");
                     TestKafka.Reader inbound = kafka.reader(Topics.INBOUND)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() > 3);
                    kafka.produce(Topics.CAPSULES_SIGNED, capsules);
                    await().atMost(Duration.ofSeconds(60)).until(() -> inbound.poll().size() >= 20);

                    // mid-run: inspect both processes
                    List<ProcSockets.Sock> txs = ProcSockets.of(sender.pid());
                    List<ProcSockets.Sock> txUdp = txs.stream().filter(s -> s.proto().startsWith("udp")).toList();
                    assertEquals(1, txUdp.size(), "sender UDP sockets: " + txs);
                    ProcSockets.Sock out = txUdp.get(0);
                    assertTrue(out.udpConnected(), "sender UDP socket is not connected: " + out);
                    assertEquals(relay.address().getPort(), out.remotePort());
                    assertEquals("127.0.0.1", out.remote());
                    assertEquals(0, out.rxQueue(), "sender socket has unread data before the probe");
                    for (ProcSockets.Sock s : txs) {
                        assertFalse(s.tcpListening(), "sender listens: " + s);
                        if (s.proto().startsWith("tcp")) {
                            assertEquals(brokerPort, s.remotePort(), "sender TCP to something else than the broker: " + s);
                        }
                    }
                    List<ProcSockets.Sock> rxs = ProcSockets.of(receiver.pid());
                    List<ProcSockets.Sock> rxUdp = rxs.stream().filter(s -> s.proto().startsWith("udp")).toList();
                    assertEquals(1, rxUdp.size(), "receiver UDP sockets: " + rxs);
                    ProcSockets.Sock in = rxUdp.get(0);
                    assertEquals(rxPort, in.localPort());
                    assertEquals(0, in.remotePort(), "receiver UDP socket is connected: " + in);
                    assertEquals(0x07, in.state(), "receiver UDP socket state: " + in);
                    assertEquals(0, in.txQueue(), "receiver UDP socket has queued output: " + in);
                    for (ProcSockets.Sock s : rxs) {
                        assertFalse(s.tcpListening(), "receiver listens: " + s);
                        if (s.proto().startsWith("tcp")) {
                            assertEquals(brokerPort, s.remotePort(), "receiver TCP to something else than the broker: " + s);
                        }
                    }

                    // probe: from the only address the sender's socket accepts (the relay's own socket)
                    try (DatagramChannel strangers = DatagramChannel.open()) {
                        strangers.send(ByteBuffer.wrap("from elsewhere".getBytes(StandardCharsets.US_ASCII)),
                                new InetSocketAddress("127.0.0.1", out.localPort()));
                    }
                    relay.sendUpstreamProbe(new InetSocketAddress("127.0.0.1", out.localPort()),
                            "probe".getBytes(StandardCharsets.US_ASCII));
                    await().atMost(Duration.ofSeconds(10)).until(() -> sockOf(sender.pid(), out.localPort()).rxQueue() > 0);

                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                            .until(() -> inbound.poll().size() == capsules.size());
                    ProcSockets.Sock later = sockOf(sender.pid(), out.localPort());
                    assertTrue(later.rxQueue() > 0, "the probe was read by the sender: " + later);
                    assertEquals(0, relay.backwardDatagrams(), "something reached the relay from the receiver side");
                    assertEquals(0, sockOf(receiver.pid(), rxPort).txQueue());
                    assertTrue(receiver.isAlive() && sender.isAlive());
                }
            }
        }
    }

    private static ProcSockets.Sock sockOf(long pid, int localPort) throws java.io.IOException {
        return ProcSockets.of(pid).stream().filter(s -> s.proto().startsWith("udp") && s.localPort() == localPort)
                .findFirst().orElseThrow();
    }
}
