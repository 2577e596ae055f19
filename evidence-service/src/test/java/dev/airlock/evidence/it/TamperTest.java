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
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
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

    /** Each test's bundles have capsule ids of their own, so that waiting for them waits for this test's entries. */
    private static final AtomicInteger ROUND = new AtomicInteger();

    long first;

    @BeforeEach
    void sixBundlesAndACheckpoint() {
        String[] ids = send(6);
        first = Api.awaitEntries(ids[0], 1);
        Api.checkpoint();
        assertOk();
    }

    /** Sends n bundles with new capsule ids and waits until all are in the log. */
    private String[] send(int n) {
        int round = ROUND.incrementAndGet();
        String[] ids = new String[n];
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            for (int i = 0; i < n; i++) {
                ids[i] = "tamper-" + round + "-" + i;
                kafka.send(Topics.EVIDENCE_RAW, ids[i], Fixtures.bundle(ids[i], Fixtures.LOCAL_ENV, "APPLIED"));
            }
        }
        for (String id : ids) {
            Api.awaitEntries(id, 1);
        }
        return ids;
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
        assertRewrittenLeafIsNamed(first + 1);
    }

    /**
     * Rewrites leaf k's entry together with its leaf hash (RFC 9162: SHA-256 of 0x00 and the entry), so that the row is
     * consistent in itself; the verification must name k by its receipt, then pass again once the row is restored.
     */
    private void assertRewrittenLeafIsNamed(long k) throws Exception {
        byte[] entry = column("entry", k);
        byte[] hash = column("leaf_hash", k);
        byte[] other = (new String(entry, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) 0);
        sql("update evidence_leaf set entry = ?, leaf_hash = ? where leaf_index = ?", other, md.digest(other), k);
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

    @Test
    void receiptsAreVerifiedWhereNoCheckpointProvesTheLeaf() throws Exception {
        JsonPath v = verify();
        assertEquals(v.getLong("size"), v.getLong("leavesProvenByCheckpoint"), v.prettify());
        assertEquals(0, v.getLong("receiptsChecked"), v.prettify());
        JsonPath all = Api.json("/api/verify?receipts=all");
        assertTrue(all.getBoolean("ok"), all.prettify());
        assertEquals(all.getLong("size"), all.getLong("receiptsChecked"), all.prettify());

        // two entries after the last checkpoint: only their receipts prove them
        String[] late = send(2);
        long k = Api.awaitEntries(late[1], 1);
        v = verify();
        assertTrue(v.getBoolean("ok"), v.prettify());
        assertEquals(2, v.getLong("receiptsChecked"), v.prettify());
        assertEquals(v.getLong("size") - 2, v.getLong("leavesProvenByCheckpoint"), v.prettify());
        assertRewrittenLeafIsNamed(k);
    }

    @Test
    void aDamagedReceiptUnderAGoodCheckpointIsFoundWithReceiptsAll() throws Exception {
        long k = first + 2;
        byte[] receipt = column("receipt", k);
        byte[] damaged = receipt.clone();
        damaged[5] ^= 1;
        sql("update evidence_leaf set receipt = ? where leaf_index = ?", damaged, k);
        // the checkpoint proves the leaf hash, so the log's content is intact; the damaged receipt shows only in the
        // complete check
        assertOk();
        JsonPath all = Api.json("/api/verify?receipts=all");
        assertFalse(all.getBoolean("ok"), all.prettify());
        assertEquals(k, all.getLong("firstBadIndex"), all.prettify());
        assertTrue(all.getString("problems[0].problem").contains("not the one the evidence key signed"),
                all.prettify());
        sql("update evidence_leaf set receipt = ? where leaf_index = ?", receipt, k);
        assertTrue(Api.json("/api/verify?receipts=all").getBoolean("ok"));
    }

    @Test
    void aTamperedLeafUnderTheLastCheckpointHasItsReceiptChecked() throws Exception {
        // an earlier checkpoint still matches, the last one no longer does: receipts are checked from the earlier one
        String[] more = send(3);
        long k = Api.awaitEntries(more[1], 1);
        long before = verify().getLong("leavesProvenByCheckpoint");
        Api.checkpoint();
        assertOk();
        byte[] hash = column("leaf_hash", k);
        byte[] entry = column("entry", k);
        sql("update evidence_leaf set entry = null, leaf_hash = ? where leaf_index = ?", new byte[32], k);
        JsonPath v = verify();
        assertFalse(v.getBoolean("ok"), v.prettify());
        assertEquals(k, v.getLong("firstBadIndex"), v.prettify());
        assertEquals(before, v.getLong("leavesProvenByCheckpoint"), v.prettify());
        assertTrue(v.getString("problems[0].problem").contains("not the one the evidence key signed"), v.prettify());
        sql("update evidence_leaf set entry = ?, leaf_hash = ? where leaf_index = ?", entry, hash, k);
        assertOk();
    }

    @Test
    void anUnknownReceiptsModeIsABadRequest() {
        given().get("/api/verify?receipts=some").then().statusCode(400);
    }
}
