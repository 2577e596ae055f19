package dev.airlock.evidence.it;

import dev.airlock.core.events.Topics;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.Stack;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SECURITY-TESTS E.27: direct SQL against the evidence tables, as an administrator with database access could run
 * it. Each edit is committed, {@code GET /api/verify} must fail and name the first bad index, then the edit is undone
 * and the chain verifies again.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class TamperTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @InjectPostgres
    PostgresServer db;

    long first;

    @BeforeEach
    void sixBundlesAndACheckpoint() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            for (int i = 0; i < 6; i++) {
                String id = "tamper-" + i;
                kafka.send(Topics.EVIDENCE_RAW, id, Fixtures.bundle(id, Fixtures.LOCAL_ENV, "APPLIED"));
            }
        }
        Api.awaitEntries("tamper-5", 1);
        first = Api.awaitEntries("tamper-0", 1);
        Api.checkpoint();
        assertOk();
    }

    private static JsonPath verify() {
        return Api.json("/api/verify");
    }

    private static void assertOk() {
        JsonPath v = verify();
        assertTrue(v.getBoolean("ok"), v.prettify());
    }

    private static void assertFirstBad(long index, String says) {
        JsonPath v = verify();
        assertFalse(v.getBoolean("ok"), v.prettify());
        assertEquals(index, v.getLong("firstBadIndex"), v.prettify());
        assertTrue(v.getString("problems[0].problem").contains(says), v.prettify());
    }

    private void sql(String sql, Object... params) throws Exception {
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            p.executeUpdate();
        }
    }

    private byte[] column(String column, long index) throws Exception {
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
                "select " + column + " from evidence_leaf where leaf_index = ?")) {
            p.setLong(1, index);
            var rs = p.executeQuery();
            assertTrue(rs.next());
            return rs.getBytes(1);
        }
    }

    @Test
    void anUpdatedEntryIsNamed() throws Exception {
        long k = first + 2;
        byte[] original = column("entry", k);
        byte[] edited = new String(original, StandardCharsets.UTF_8).replace("\"signatures\"", "\"signatures\" ")
                .getBytes(StandardCharsets.UTF_8);
        sql("update evidence_leaf set entry = ? where leaf_index = ?", edited, k);
        assertFirstBad(k, "does not hash to the stored leaf hash");
        sql("update evidence_leaf set entry = ? where leaf_index = ?", original, k);
        assertOk();
    }

    @Test
    void anUpdatedEntryWithItsRecomputedLeafHashIsNamed() throws Exception {
        long k = first + 1;
        byte[] entry = column("entry", k);
        byte[] hash = column("leaf_hash", k);
        byte[] other = (new String(entry, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) 0);
        byte[] otherHash = md.digest(other);
        sql("update evidence_leaf set entry = ?, leaf_hash = ? where leaf_index = ?", other, otherHash, k);
        assertFirstBad(k, "not the one the evidence key signed");
        sql("update evidence_leaf set entry = ?, leaf_hash = ? where leaf_index = ?", entry, hash, k);
        assertOk();
    }

    @Test
    void aDeletedRowIsNamed() throws Exception {
        long k = first + 3;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("create table tamper_backup as select * from evidence_leaf where leaf_index = " + k);
            s.execute("delete from evidence_leaf where leaf_index = " + k);
        }
        assertFirstBad(k, "missing");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("insert into evidence_leaf select * from tamper_backup");
            s.execute("drop table tamper_backup");
        }
        assertOk();
    }

    @Test
    void twoSwappedRowsAreNamedByTheFirst() throws Exception {
        long i = first + 1;
        long j = first + 4;
        String swap = "update evidence_leaf set leaf_index = ? where leaf_index = ?";
        sql(swap, Long.MAX_VALUE, i);
        sql(swap, i, j);
        sql(swap, j, Long.MAX_VALUE);
        assertFirstBad(i, "not the one the evidence key signed");
        sql(swap, Long.MAX_VALUE, i);
        sql(swap, i, j);
        sql(swap, j, Long.MAX_VALUE);
        assertOk();
    }

    @Test
    void anEditedSubtreeHashIsNamedByItsFirstLeaf() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("select level, idx, hash from merkle_subtree where level = 1 order by idx limit 1");
            assertTrue(rs.next());
            long idx = rs.getLong(2);
            byte[] hash = rs.getBytes(3);
            sql("update merkle_subtree set hash = ? where level = 1 and idx = ?", new byte[32], idx);
            assertFirstBad(idx * 2, "differs from the recomputed one");
            sql("update merkle_subtree set hash = ? where level = 1 and idx = ?", hash, idx);
        }
        assertOk();
    }
}
