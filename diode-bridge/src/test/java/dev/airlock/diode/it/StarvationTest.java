package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.testing.Bridge;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SECURITY-TESTS F.30: a receiver with a tiny socket buffer and queue is flooded far beyond what it can take. It
 * reports the gaps, does not crash, delivers nothing partial, and once the sender slows down everything new arrives.
 */
class StarvationTest {

    @Test
    void starvedReceiverReportsGapsSurvivesAndRecovers(@TempDir Path dir) throws Exception {
        Fixtures fix = new Fixtures();
        List<Map.Entry<String, byte[]>> flood = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            flood.add(new AbstractMap.SimpleImmutableEntry<>("flood-" + i, fix.signedCapsule("flood-" + i, 30_000, i)));
        }
        List<Map.Entry<String, byte[]>> calm = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calm.add(new AbstractMap.SimpleImmutableEntry<>("calm-" + i, fix.signedCapsule("calm-" + i, 1_500, 1000 + i)));
        }
        Map<String, byte[]> all = new LinkedHashMap<>();
        flood.forEach(e -> all.put(e.getKey(), e.getValue()));
        calm.forEach(e -> all.put(e.getKey(), e.getValue()));
        try (TestKafka kafka = new TestKafka();
             Bridge bridge = new Bridge(kafka, kafka, dir, Faults.none(7));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, "starved");
            bridge.overrides.setProperty(Keys.RECEIVE_SOCKET_BUFFER, "4096");
            bridge.overrides.setProperty(Keys.RECEIVE_QUEUE_DATAGRAMS, "16");
            bridge.overrides.setProperty(Keys.SEND_RATE, "400000000");
            bridge.overrides.setProperty(Keys.SEND_MAX_POLL_RECORDS, "400");
            kafka.produce(Topics.CAPSULES_SIGNED, flood);
            bridge.startReceiver().startSender();

            AtomicReference<Outcome> outcome = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Outcome o = new Outcome("starved", inbound.poll(), health.poll());
                outcome.set(o);
                return bridge.sender.lastSequenceSent() == flood.size() && o.accountsFor(flood.size());
            });
            assertFalse(outcome.get().reported.isEmpty(), "a flood into a 4 KiB buffer should have lost something");
            assertTrue(bridge.receiver.isRunning(), "receiver died: " + bridge.receiver.failure());
            outcome.get().assertWholeAndUnique(all);

            // load drops: the same sender at a rate the receiver absorbs, new capsules all arrive
            bridge.stopSender();
            // a 4 KiB socket buffer holds ~40 ms at this rate: enough for a receiver thread on a busy machine
            bridge.overrides.setProperty(Keys.SEND_RATE, "100000");
            bridge.startSender();
            kafka.produce(Topics.CAPSULES_SIGNED, calm);
            int total = flood.size() + calm.size();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Outcome o = new Outcome("starved", inbound.poll(), health.poll());
                outcome.set(o);
                return o.accountsFor(total);
            });
            Outcome o = outcome.get();
            o.assertWholeAndUnique(all);
            for (long seq = flood.size() + 1; seq <= total; seq++) {
                assertTrue(o.deliveredBySeq.containsKey(seq), "after the flood, sequence " + seq + " was not delivered");
            }
            assertEquals(0, bridge.relay.backwardDatagrams());
        }
    }
}
