package dev.airlock.gateway.testing;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the gateway produced, as its consumers see it: admissions verified with the gateway's public key
 * ({@link Admission#verify}), evidence bundles verified against the policy ({@link EvidenceBundles#verify}), and the
 * rows PostgreSQL holds.
 */
public final class Outputs {
    public static final KeyRing GATEWAY_KEYS = KeyRing.of(Fixtures.PKI.of(Fixtures.GATEWAY).publicKey());
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final TestKafka kafka;

    public Outputs(TestKafka kafka) {
        this.kafka = kafka;
    }

    /** Admission key of a record whose capsule id the gateway could not establish: the digest of its bytes. */
    public static String digestKey(byte[] value) {
        return Hex.digest(value);
    }

    /** Waits for {@code count} admission records under {@code key}; each must verify with the gateway key. */
    public List<Admission> admissions(String key, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            records.clear();
            records.addAll(kafka.withKey(Topics.ADMISSIONS, key));
            return records.size() >= count;
        });
        List<Admission> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            assertEquals(dev.airlock.core.dsse.PayloadTypes.ADMISSION_V2,
                    KafkaTestClient.header(r, Topics.CE_TYPE).orElseThrow());
            try {
                Admission a = Admission.verify(r.value(), GATEWAY_KEYS);
                assertEquals(Admission.SCHEMA_V2, a.schema(), "the gateway writes v2 admission records");
                out.add(a);
            } catch (VerificationException e) {
                throw new AssertionError("admission " + key + " does not verify: " + e.getMessage(), e);
            }
        }
        return out;
    }

    public Admission admission(String key) {
        List<Admission> all = admissions(key, 1);
        assertEquals(1, all.size(), () -> "admissions under " + key + ": " + all);
        return all.get(0);
    }

    /** Waits for {@code count} evidence bundles under {@code key}, verified against {@code policy}. */
    public List<EvidenceBundles.Verified> evidence(String key, int count, TrustedPolicy policy) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            records.clear();
            records.addAll(kafka.withKey(Topics.EVIDENCE_RAW, key));
            return records.size() >= count;
        });
        List<EvidenceBundles.Verified> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                out.add(EvidenceBundles.verify(r.value(), policy));
            } catch (VerificationException e) {
                throw new AssertionError("evidence " + key + " does not verify: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Rows of {@code sql} (one positional parameter per arg) as column → value maps. */
    public static List<Map<String, Object>> rows(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }
}
