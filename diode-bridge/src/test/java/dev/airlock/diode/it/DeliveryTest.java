package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.receive.DiodeReceiver;
import dev.airlock.diode.testing.Bridge;
import dev.airlock.diode.testing.BrokerPerClass;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import dev.airlock.diode.wire.EncodedMessage;
import dev.airlock.diode.wire.MessageBody;
import dev.airlock.diode.wire.WireFormat;
import dev.airlock.diode.fec.FecParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryTest extends BrokerPerClass {
    private static final Fixtures FIX = new Fixtures();

    private static Map<String, byte[]> toMap(List<Map.Entry<String, byte[]>> l) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        l.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    private static Outcome awaitAccounted(Bridge bridge, String stream, int n, TestKafka.Reader inbound,
                                          TestKafka.Reader health, Duration max) {
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        await().atMost(max).pollInterval(Duration.ofMillis(300)).until(() -> {
            Outcome o = new Outcome(stream, inbound.poll(), health.poll());
            outcome.set(o);
            return o.accountsFor(n);
        });
        return outcome.get();
    }

    /** The acceptance bar: default FEC, 1 % i.i.d. loss, 10,000 messages, zero loss. */
    @Test
    void tenThousandCapsulesAtOnePercentLossArriveWithoutAGap(@TempDir Path dir) throws Exception {
        int n = 10_000;
        List<Map.Entry<String, byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "zl-" + i;
            sent.add(new AbstractMap.SimpleImmutableEntry<>(id, FIX.signedCapsule(id, 1200, i)));
        }
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.iid(0.01, 10_000));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, "zero-loss");
            bridge.overrides.setProperty(Keys.SEND_GROUP, "zero-loss");
            // 8 MB/s: fast enough (~7 s for the 56 MB of datagrams), slow enough that a descheduled receiver thread on a
            // busy 2-core CI machine does not overflow the socket buffer (capped by net.core.rmem_max): this test is
            // about FEC against random loss; overload is StarvationTest's subject and rate is the benchmark's.
            bridge.overrides.setProperty(Keys.SEND_RATE, "8000000");
            bridge.overrides.setProperty(Keys.SEND_MAX_POLL_RECORDS, "500");
            kafka.startGroupAtEnd("zero-loss", Topics.CAPSULES_SIGNED);
            kafka.produce(Topics.CAPSULES_SIGNED, sent);
            bridge.startReceiver().startSender();
            Outcome o = awaitAccounted(bridge, "zero-loss", n, inbound, health, Duration.ofSeconds(240));
            o.assertWholeAndUnique(toMap(sent));
            assertTrue(o.reported.isEmpty(), "gaps at 1 % loss: " + o.reported);
            assertEquals(n, o.deliveredBySeq.size());
            double lossRate = (double) bridge.relay.dropped() / bridge.relay.received();
            assertTrue(lossRate > 0.008 && lossRate < 0.012, "relay loss rate " + lossRate);
            assertTrue(bridge.receiver.stats().repairedMessages() > 0, "FEC repaired nothing: " + bridge.receiver.stats());
        }
    }

    /** 4 MiB (the policy default maxCapsuleBytes) crosses; larger values and non-capsules are refused and counted. */
    @Test
    void maximumSizeCrossesAndAnythingElseIsRefusedBeforeTransmission(@TempDir Path dir) throws Exception {
        byte[] max = FIX.signedCapsuleUpTo("big-max", 4 * 1024 * 1024, 1);
        assertTrue(max.length > 4 * 1024 * 1024 - 8 && max.length <= 4 * 1024 * 1024, "fixture size " + max.length);
        byte[] oneMb = FIX.signedCapsule("big-1m", 1_000_000, 2);
        byte[] tooLarge = FIX.signedCapsule("big-over", 4 * 1024 * 1024 + 4096, 3);
        byte[] policy = FIX.signedPolicy(7);
        List<Map.Entry<String, byte[]>> capsules = List.of(
                new AbstractMap.SimpleImmutableEntry<>("big-max", max),
                new AbstractMap.SimpleImmutableEntry<>("big-over", tooLarge),
                new AbstractMap.SimpleImmutableEntry<>("big-json", "{\"hello\":\"enclave\"}".getBytes(StandardCharsets.UTF_8)),
                new AbstractMap.SimpleImmutableEntry<>("big-dup", "{\"schema\":\"airlock.signed-capsule/v1\",\"schema\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                new AbstractMap.SimpleImmutableEntry<>("big-1m", oneMb));
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.iid(0.01, 4));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, "sizes");
            bridge.overrides.setProperty(Keys.SEND_GROUP, "sizes");
            kafka.startGroupAtEnd("sizes", Topics.CAPSULES_SIGNED);
            kafka.startGroupAtEnd("sizes", Topics.POLICY_SIGNED);
            kafka.produce(Topics.CAPSULES_SIGNED, capsules);
            kafka.produce(Topics.POLICY_SIGNED, List.of(new AbstractMap.SimpleImmutableEntry<>("policy-7", policy)));
            bridge.startReceiver().startSender();
            Outcome o = awaitAccounted(bridge, "sizes", 3, inbound, health, Duration.ofSeconds(120));
            o.assertWholeAndUnique(Map.of("big-max", max, "big-1m", oneMb, "policy-7", policy));
            assertEquals(3, o.deliveredBySeq.size());
            assertTrue(o.reported.isEmpty());
            // refused values got no sequence: nothing of them was ever transmitted
            assertEquals(3, bridge.sender.lastSequenceSent());
            assertEquals(Map.of("TOO_LARGE", 1L, "MALFORMED", 2L), bridge.sender.refusedByReason());
            String ceTypes = o.inbound.stream().map(r -> Bridge.header(r, Topics.CE_TYPE)).sorted().toList().toString();
            assertEquals("[airlock.policy/v1, airlock.signed-capsule/v1, airlock.signed-capsule/v1]", ceTypes);
        }
    }

    /** A forged message that is well framed (valid CRC and digest) but not a capsule never reaches the enclave topic. */
    @Test
    void receiverDropsWellFramedNonCapsulesAndCountsThem(@TempDir Path dir) throws Exception {
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.none(1));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             DatagramChannel forger = DatagramChannel.open()) {
            bridge.startReceiver();
            InetSocketAddress rx = new InetSocketAddress("127.0.0.1", bridge.receiver.localAddress().getPort());
            byte[] body = new MessageBody("forged-1", "{\"schema\":\"airlock.admission/v1\"}".getBytes(StandardCharsets.UTF_8)).encode();
            EncodedMessage m = EncodedMessage.encode("forged", 1, body, FecParams.DEFAULT);
            ByteBuffer buf = ByteBuffer.allocate(m.datagramSize());
            m.forEachDatagram(buf, 0, b -> forger.send(b, rx));
            forger.send(ByteBuffer.wrap(WireFormat.heartbeat("forged".getBytes(StandardCharsets.US_ASCII),
                    "{\"payloadType\":\"text/plain\",\"payload\":\"\",\"signatures\":[]}".getBytes(StandardCharsets.UTF_8))), rx);
            forger.send(ByteBuffer.wrap("not a diode datagram".getBytes(StandardCharsets.UTF_8)), rx);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Map<String, Long> d = bridge.receiver.stats().drops();
                return d.getOrDefault("refused_MALFORMED", 0L) == 1 && d.getOrDefault("bad_heartbeat", 0L) == 1
                        && d.getOrDefault("bad_magic", 0L) == 1;
            });
            assertTrue(inbound.poll().stream().noneMatch(r -> "forged".equals(Bridge.header(r, DiodeReceiver.HEADER_STREAM))));
            assertEquals(0, bridge.receiver.stats().delivered());
        }
    }
}
