package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.testing.Bridge;
import dev.airlock.diode.testing.BrokerPerClass;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

/**
 * SECURITY-TESTS F.29: over real UDP on loopback through the fault-injecting relay, every capsule is either delivered
 * whole and byte-identical, or reported as a gap — never partial, never twice.
 */
class FaultInjectionTest extends BrokerPerClass {
    private static final Fixtures FIX = new Fixtures();

    /** Mixed sizes: mostly small, some tens of KB, two of 1 MB (multi-block messages). */
    static List<Map.Entry<String, byte[]>> capsules(String prefix, int n, long seed) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            int size = i % 100 == 50 ? 1_000_000 : i % 10 == 3 ? 20_000 + r.nextInt(60_000) : 1_500 + r.nextInt(8_000);
            String id = prefix + "-" + i;
            out.add(new AbstractMap.SimpleImmutableEntry<>(id, FIX.signedCapsule(id, size, seed + i)));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} loss {1}")
    @CsvSource({
            "iid, 0.001", "iid, 0.01", "iid, 0.05", "iid, 0.10",
            "hostile, 0.001", "hostile, 0.01", "hostile, 0.05", "hostile, 0.10"})
    void everyCapsuleIsDeliveredWholeOrReportedMissing(String kind, double loss, @TempDir Path dir) throws Exception {
        long seed = Double.doubleToLongBits(loss) ^ kind.hashCode();
        Faults faults = kind.equals("iid") ? Faults.iid(loss, seed) : Faults.hostile(loss, seed);
        String prefix = kind + "-" + loss;
        List<Map.Entry<String, byte[]>> sent = capsules(prefix, 200, seed);
        Map<String, byte[]> byKey = new LinkedHashMap<>();
        sent.forEach(e -> byKey.put(e.getKey(), e.getValue()));

        // the broker is shared by the cases: each case has its own stream id, consumer group and keys
        try (Bridge bridge = new Bridge(kafka, kafka, dir, faults);
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.SEND_GROUP, "diode-" + prefix);
            String stream = prefix.replace("0.", "p");
            bridge.overrides.setProperty(Keys.STREAM, stream);
            kafka.startGroupAtEnd("diode-" + prefix, Topics.CAPSULES_SIGNED);
            bridge.startReceiver().startSender();
            kafka.produce(Topics.CAPSULES_SIGNED, sent);
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Outcome o = new Outcome(stream, inbound.poll(), health.poll());
                outcome.set(o);
                return bridge.sender.lastSequenceSent() == sent.size() && o.accountsFor(sent.size());
            });
            Outcome o = outcome.get();
            o.assertWholeAndUnique(byKey);
            assertEquals(0, bridge.relay.backwardDatagrams(), "the receiver sent something");
            if (loss <= 0.01 && kind.equals("iid")) {
                assertTrue(o.reported.isEmpty(), "no gap expected at " + loss + " i.i.d. loss: " + o.reported);
            }
            assertTrue(bridge.relay.dropped() > 0 || loss == 0, "relay injected no loss");
        }
    }
}
