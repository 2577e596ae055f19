package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.fec.FecParams;
import dev.airlock.diode.send.Heartbeats;
import dev.airlock.diode.send.UdpTransmitter;
import dev.airlock.diode.testing.Bridge;
import dev.airlock.diode.testing.BrokerPerClass;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import dev.airlock.diode.trust.Trust;
import dev.airlock.diode.wire.EncodedMessage;
import dev.airlock.diode.wire.MessageBody;
import dev.airlock.diode.wire.WireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender killed in the middle of a message leaves the receiver holding part of it, with nothing later announced.
 * That is not a gap yet: the restarted sender re-sends the message (its offset was not committed), and a restart
 * takes longer than the gap window. It becomes one when the sender says it sent the message whole (a heartbeat) or
 * something after it arrives. Datagrams go straight to the receiver's socket here, so the cut is exact.
 */
class CutOffMessageTest extends BrokerPerClass {
    private static final String STREAM = "cut-off";
    private static final Fixtures FIX = new Fixtures();

    private static EncodedMessage message(long seq) {
        byte[] body = new MessageBody("cut-" + seq, FIX.signedCapsule("cut-" + seq, 6000, seq)).encode();
        return EncodedMessage.encode(STREAM, seq, body, FecParams.DEFAULT);
    }

    /** Sends the datagrams of {@code m} with index in [from, to). */
    private static void send(UdpTransmitter tx, EncodedMessage m, int from, int to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(m.datagramSize());
        AtomicInteger i = new AtomicInteger();
        m.forEachDatagram(buf, 0, d -> {
            int n = i.getAndIncrement();
            if (n >= from && n < to) {
                tx.send(d);
            }
        });
    }

    private static Outcome outcome(TestKafka.Reader inbound, TestKafka.Reader health) throws IOException {
        return new Outcome(STREAM, inbound.poll(), health.poll());
    }

    @Test
    void aMessageCutOffMidTransmissionIsNotAGapUntilTheSenderSaysItWasSentWhole(@TempDir Path dir) throws Exception {
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.none(1));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, STREAM);
            bridge.startReceiver();
            InetSocketAddress rx = bridge.receiver.localAddress();
            Heartbeats heartbeats = new Heartbeats(Trust.heartbeatSigner("bridge.diode-1", Fixtures.newKeyPem()), STREAM,
                    Clock.systemUTC());
            EncodedMessage first = message(1);
            EncodedMessage cut = message(2);
            assertTrue(cut.datagramCount() >= 4, "the message should span several datagrams");
            try (UdpTransmitter tx = new UdpTransmitter(rx, 50_000_000, 1 << 20,
                    WireFormat.dataDatagramSize(STREAM, FecParams.DEFAULT.shardSize()))) {
                send(tx, first, 0, first.datagramCount());
                tx.send(ByteBuffer.wrap(heartbeats.datagram(1)));
                // the sender dies after the first datagram of sequence 2
                send(tx, cut, 0, 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> outcome(inbound, health).deliveredBySeq.containsKey(1L));

                // five gap windows (600 ms each) with only part of 2 known: no gap, 2 waits for the re-send
                // checked throughout: the first gap report fails the test at once
                await("no gap before the sender said 2 was sent").during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> bridge.receiver.stats().gapsReported() == 0);
                assertEquals(Set.of(1L), outcome(inbound, health).deliveredBySeq.keySet());

                // the restarted sender re-sends 2 whole (it reuses the sequence): delivered once, no gap
                send(tx, cut, 0, cut.datagramCount());
                await().atMost(Duration.ofSeconds(30)).until(() -> outcome(inbound, health).deliveredBySeq.containsKey(2L));
                assertEquals(0, bridge.receiver.stats().gapsReported(), "2 was reported as a gap");

                // now a message whose sender did finish it, per its heartbeat, but whose tail was lost: a gap, on time
                EncodedMessage lost = message(3);
                send(tx, lost, 0, 1);
                tx.send(ByteBuffer.wrap(heartbeats.datagram(3)));
                await().atMost(Duration.ofSeconds(10)).until(() -> outcome(inbound, health).reported.contains(3L));
                // and a cut-off 4 is announced by the first datagram of 5
                EncodedMessage four = message(4);
                EncodedMessage five = message(5);
                send(tx, four, 0, 1);
                send(tx, five, 0, five.datagramCount());
                await().atMost(Duration.ofSeconds(10)).until(() -> outcome(inbound, health).reported.contains(4L));
                await().atMost(Duration.ofSeconds(10)).until(() -> outcome(inbound, health).deliveredBySeq.containsKey(5L));
            }
            Outcome o = outcome(inbound, health);
            assertEquals(Set.of(3L, 4L), o.reported);
            assertEquals(Set.of(1L, 2L, 5L), o.deliveredBySeq.keySet());
            o.assertWholeAndUnique(Map.of(
                    "cut-1", FIX.signedCapsule("cut-1", 6000, 1),
                    "cut-2", FIX.signedCapsule("cut-2", 6000, 2),
                    "cut-5", FIX.signedCapsule("cut-5", 6000, 5)));
        }
    }
}
