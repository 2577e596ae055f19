package dev.airlock.diode.it;

import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.config.Keys;
import dev.airlock.diode.send.Resender;
import dev.airlock.diode.testing.Bridge;
import dev.airlock.diode.testing.BrokerPerClass;
import dev.airlock.diode.testing.DiodeProcess;
import dev.airlock.diode.testing.Faults;
import dev.airlock.diode.testing.Fixtures;
import dev.airlock.diode.testing.TestKafka;
import dev.airlock.diode.trust.Trust;
import dev.airlock.diode.wire.ResendRequest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS F.31 and the receiver's crash window. */
class RestartTest extends BrokerPerClass {
    private static final Fixtures FIX = new Fixtures();

    private static List<Map.Entry<String, byte[]>> capsules(String prefix, int n) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            out.add(new AbstractMap.SimpleImmutableEntry<>(id, FIX.signedCapsule(id, 3000, i)));
        }
        return out;
    }

    private static Map<String, byte[]> toMap(List<Map.Entry<String, byte[]>> l) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        l.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** Highest sequence assigned ("M") and highest transmitted ("S") in the sender's journal. */
    private static long[] journalMarks(Path journal) throws java.io.IOException {
        long m = 0;
        long sent = 0;
        if (!Files.exists(journal)) {
            return new long[] {0, 0};
        }
        for (String line : Files.readAllLines(journal)) {
            String[] p = line.split(" ");
            try {
                if (p[0].equals("M") && p.length == 6) {
                    m = Math.max(m, Long.parseLong(p[1]));
                } else if (p[0].equals("S") && p.length == 2) {
                    sent = Math.max(sent, Long.parseLong(p[1]));
                }
            } catch (NumberFormatException torn) {
                // the writer is mid-line
            }
        }
        return new long[] {m, sent};
    }

    /**
     * F.31: the sender process is SIGKILLed while a batch is on the wire (sequences journaled, offsets not
     * committed) and started again: the batch is re-sent under the same sequences, nothing is missing, nothing twice.
     */
    @Test
    void senderKilledMidBatchLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        int n = 2000;
        List<Map.Entry<String, byte[]>> sent = capsules("sr", n);
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.iid(0.002, 31));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, "sender-restart");
            bridge.overrides.setProperty(Keys.SEND_GROUP, "sender-restart");
            bridge.overrides.setProperty(Keys.SEND_MAX_POLL_RECORDS, "400");
            bridge.overrides.setProperty(Keys.SEND_RATE, "8000000");
            kafka.startGroupAtEnd("sender-restart", Topics.CAPSULES_SIGNED);
            kafka.produce(Topics.CAPSULES_SIGNED, sent);
            bridge.startReceiver();
            Path journal = dir.resolve("sender").resolve("journal.log");
            DiodeProcess first = DiodeProcess.start("send", bridge.senderProps(), dir, "sender-1");
            // kill while the second or a later batch is being transmitted: assigned beyond transmitted
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5)).until(() -> {
                long[] j = journalMarks(journal);
                return j[1] >= 400 && j[0] > j[1] + 100;
            });
            first.kill();
            long[] atKill = journalMarks(journal);
            try (DiodeProcess second = DiodeProcess.start("send", bridge.senderProps(), dir, "sender-2")) {
                AtomicReference<Outcome> outcome = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    Outcome o = new Outcome("sender-restart", inbound.poll(), health.poll());
                    outcome.set(o);
                    return o.accountsFor(n) && o.deliveredBySeq.size() == n;
                });
                Outcome o = outcome.get();
                o.assertWholeAndUnique(toMap(sent));
                assertTrue(o.reported.isEmpty(), "gaps: " + o.reported);
                // mid-stream: not everything had been transmitted (the encoder may have assigned all n already:
                // up to BATCHES_IN_FLIGHT batches wait ahead of the socket)
                assertTrue(atKill[1] < n, "killed too late to be mid-stream: " + java.util.Arrays.toString(atKill));
                // re-consumed records got their journaled sequences back: no sequence beyond n was ever assigned
                await().atMost(Duration.ofSeconds(30)).until(() -> journalMarks(journal)[1] == n);
                assertEquals(n, journalMarks(journal)[0]);
                assertTrue(second.log().contains("nextSequence=" + (atKill[0] + 1)), second.log());
            }
        }
    }

    /**
     * A sender stopped with SIGTERM ({@code airlock down}, {@code systemctl stop}) leaves its consumer group before it
     * exits. A member that does not stays in the group until its session times out (45 s), and the next sender waits
     * that long in a rebalance before it gets the partitions.
     */
    @Test
    void senderStoppedWithSigtermLeavesItsConsumerGroup(@TempDir Path dir) throws Exception {
        String group = "sender-sigterm";
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.none(7));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            bridge.overrides.setProperty(Keys.STREAM, group);
            bridge.overrides.setProperty(Keys.SEND_GROUP, group);
            kafka.startGroupAtEnd(group, Topics.CAPSULES_SIGNED); // the group exists (empty) before the sender joins
            bridge.startReceiver();
            try (DiodeProcess sender = DiodeProcess.start("send", bridge.senderProps(), dir, "sender")) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    ConsumerGroupDescription g = describe(admin, group);
                    return g.state() == ConsumerGroupState.STABLE && g.members().size() == 1;
                });
                sender.close(); // SIGTERM, then waits for the exit
                assertFalse(sender.isAlive());
                ConsumerGroupDescription after = describe(admin, group);
                assertEquals(List.of(), List.copyOf(after.members()), "still a member after the sender exited");
                assertEquals(ConsumerGroupState.EMPTY, after.state());
            }
        }
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }

    /**
     * The receiver dies, its state file is older than what Kafka acknowledged (crash between the ack and the state
     * write), and datagrams are lost while it is down. After the restart it reports the lost range, the operator
     * carries the resend request to the control side, everything is re-sent — and each capsule still appears once.
     */
    @Test
    void receiverRestartWithStaleStateProducesNoDuplicateAndResendFillsTheGap(@TempDir Path dir) throws Exception {
        int n = 1500;
        List<Map.Entry<String, byte[]>> sent = capsules("rr", n);
        try (Bridge bridge = new Bridge(kafka, kafka, dir, Faults.none(5));
             TestKafka.Reader inbound = kafka.reader(Topics.INBOUND);
             TestKafka.Reader health = kafka.reader(Topics.DIODE_HEALTH)) {
            bridge.overrides.setProperty(Keys.STREAM, "receiver-restart");
            bridge.overrides.setProperty(Keys.SEND_GROUP, "receiver-restart");
            bridge.overrides.setProperty(Keys.SEND_RATE, "3000000");
            kafka.startGroupAtEnd("receiver-restart", Topics.CAPSULES_SIGNED);
            kafka.produce(Topics.CAPSULES_SIGNED, sent);
            bridge.startReceiver().startSender();
            Path state = dir.resolve("receiver").resolve("receiver-state.json");
            Path stale = dir.resolve("stale-state.json");
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.receiver.stats().delivered() >= 200);
            Files.copy(state, stale, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.receiver.stats().delivered() >= 700);
            // outage: the receiver stops, datagrams sent meanwhile are lost; its state rolls back ~500 messages
            bridge.relay.setBlackhole(true);
            bridge.stopReceiver();
            Files.copy(stale, state, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.sender.lastSequenceSent() >= 900);
            bridge.relay.setBlackhole(false);
            bridge.restartReceiver();

            AtomicReference<Outcome> outcome = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Outcome o = new Outcome("receiver-restart", inbound.poll(), health.poll());
                outcome.set(o);
                return bridge.sender.lastSequenceSent() == n && o.accountsFor(n);
            });
            assertFalse(outcome.get().reported.isEmpty(), "the outage should have produced a reported gap");
            outcome.get().assertWholeAndUnique(toMap(sent));

            // operator path: the resend-request files from the enclave, carried to the control side (resends may use
            // the link alone, so at a higher rate)
            bridge.overrides.setProperty(Keys.SEND_RATE, "40000000");
            List<Path> requests;
            try (Stream<Path> s = Files.list(dir.resolve("receiver").resolve("resend-requests"))) {
                requests = s.filter(p -> p.getFileName().toString().startsWith("resend-receiver-restart-")).toList();
            }
            assertFalse(requests.isEmpty());
            for (Path p : requests) {
                ResendRequest r = StrictJson.read(Files.readAllBytes(p), ResendRequest.class, StrictJson.SIGNED);
                Resender.Result res = Resender.resend(bridge.senderConfig(), Trust.classifier(4L << 20), r.from(), r.to());
                assertTrue(res.unavailable().isEmpty(), "unavailable: " + res.unavailable());
            }
            // and a full replay of everything, as a careless operator might do: still exactly once
            Resender.resend(bridge.senderConfig(), Trust.classifier(4L << 20), 1, n);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Outcome o = new Outcome("receiver-restart", inbound.poll(), health.poll());
                outcome.set(o);
                return o.deliveredBySeq.size() == n;
            });
            // let the replayed tail settle, then check nothing came twice
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
            Outcome o = new Outcome("receiver-restart", inbound.poll(), health.poll());
            o.assertWholeAndUnique(toMap(sent));
            assertEquals(n, o.deliveredBySeq.size());
            assertEquals(0, bridge.relay.backwardDatagrams());
        }
    }
}
