package dev.airlock.diode.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.receive.DiodeReceiver;
import dev.airlock.diode.testing.Bridge;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What came out of the enclave side: inbound records and reported gaps, checked against what went in. */
final class Outcome {
    final Map<Long, ConsumerRecord<byte[], byte[]>> deliveredBySeq = new HashMap<>();
    final Set<Long> reported = new HashSet<>();
    final List<ConsumerRecord<byte[], byte[]>> inbound;

    Outcome(String stream, List<ConsumerRecord<byte[], byte[]>> allInbound, List<ConsumerRecord<byte[], byte[]>> health)
            throws IOException {
        List<ConsumerRecord<byte[], byte[]>> inbound = allInbound.stream()
                .filter(r -> stream.equals(Bridge.header(r, DiodeReceiver.HEADER_STREAM))).toList();
        this.inbound = inbound;
        for (ConsumerRecord<byte[], byte[]> r : inbound) {
            long seq = Long.parseLong(Bridge.header(r, DiodeReceiver.HEADER_SEQ));
            ConsumerRecord<byte[], byte[]> prev = deliveredBySeq.put(seq, r);
            if (prev != null) {
                throw new AssertionError("sequence " + seq + " produced twice into " + Bridge.inboundTopic());
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : health) {
            JsonNode n = StrictJson.mapper().readTree(r.value());
            if (DiodeReceiver.GAP_SCHEMA.equals(n.path("schema").asText()) && stream.equals(n.path("stream").asText())) {
                for (long s = n.get("from").asLong(); s <= n.get("to").asLong(); s++) {
                    reported.add(s);
                }
            }
        }
    }

    /** Every sequence 1..n either delivered or reported. */
    boolean accountsFor(long n) {
        for (long s = 1; s <= n; s++) {
            if (!deliveredBySeq.containsKey(s) && !reported.contains(s)) {
                return false;
            }
        }
        return true;
    }

    /** No duplicates, byte-identical values under their original keys, nothing that was not sent. */
    void assertWholeAndUnique(Map<String, byte[]> sent) {
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : inbound) {
            assertNotNull(r.key(), "inbound record without key");
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertTrue(keys.add(key), "capsule " + key + " delivered twice");
            byte[] expected = sent.get(key);
            assertNotNull(expected, "delivered something that was never sent: " + key);
            assertArrayEquals(expected, r.value(), "capsule " + key + " not byte-identical");
        }
        assertEquals(inbound.size(), keys.size());
    }
}
