package dev.airlock.gateway;

import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.domain.InboxEntry;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.repository.Db;
import dev.airlock.gateway.repository.GatewayRepository;
import dev.airlock.gateway.service.AdmissionService;
import dev.airlock.gateway.service.BatchPlan;
import dev.airlock.gateway.service.Decider;
import dev.airlock.gateway.service.Inbound;
import dev.airlock.gateway.service.OutboxRelay;
import dev.airlock.gateway.testing.Fixtures;
import dev.airlock.gateway.testing.GatewayTestResource;
import dev.airlock.gateway.testing.MutableClock;
import dev.airlock.gateway.testing.Outputs;
import dev.airlock.gateway.testing.TestKafka;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly once in effect (SECURITY-TESTS F.32, F.33), at the level of the admission service and the PostgreSQL
 * transaction: a redelivered record changes nothing; two deliveries of one capsule decided at the same time, or two
 * capsules of one lineage with the same sequence, never admit twice — the primary key and the row lock on the lineage
 * head decide, not the in-memory view.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.INBOUND + "," + Topics.ADMISSIONS + "," + Topics.EVIDENCE_RAW + "," + Topics.DIODE_HEALTH))
@WithTestResource(PostgresResource.class)
@WithTestResource(GatewayTestResource.class)
class ExactlyOnceTest {
    /** Offsets far above anything the broker hands out in these tests: deliveries made up by the test. */
    private static final AtomicLong OFFSETS = new AtomicLong(1_000_000_000L);
    private static final String TOPIC = Topics.INBOUND + ".test";

    @InjectKafkaBroker
    KafkaBroker broker;

    @InjectPostgres
    PostgresServer db;

    @Inject
    MutableClock clock;

    @Inject
    AdmissionService admission;

    @Inject
    Decider decider;

    @Inject
    GatewayRepository repository;

    @Inject
    OutboxRelay relay;

    final Fixtures f = Fixtures.atTestClock();

    static Inbound delivery(byte[] value) {
        return Inbound.of(TOPIC, 0, OFFSETS.incrementAndGet(), null, value);
    }

    @Test
    void aRedeliveredRecordIsRecognisedAndChangesNothing() throws Exception {
        clock.reset();
        byte[] bytes = f.admissible();
        String id = AdmissionOverKafkaTest.capsuleId(bytes);
        Inbound once = delivery(bytes);
        admission.process(List.of(once));
        // the same record again (a broker restart or a rebalance before the offset commit), now with a new one
        byte[] next = f.admissible();
        String nextId = AdmissionOverKafkaTest.capsuleId(next);
        admission.process(List.of(once, delivery(next)));
        assertTrue(relay.awaitDrained(Duration.ofSeconds(60)));

        try (Connection c = db.connect(); TestKafka kafka = new TestKafka(broker)) {
            assertEquals(1, Outputs.rows(c, "select 1 from verdicts where capsule_id = ?", id).size());
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size());
            assertEquals(1, Outputs.rows(c, "select 1 from inbox where delivery = ?", once.delivery()).size());
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", nextId).size());
            Outputs out = new Outputs(kafka);
            assertEquals(Verdict.ADMITTED, out.admission(nextId).verdict());
            assertEquals(1, kafka.withKey(Topics.ADMISSIONS, id).size(), "published once");
            assertTrue(Outputs.rows(c, "select 1 from outbox").isEmpty(), "the outbox is drained");
        }
    }

    @Test
    void twoDeliveriesOfOneCapsuleDecidedTogetherAdmitItOnce() throws Exception {
        clock.reset();
        byte[] bytes = f.admissible();
        String id = AdmissionOverKafkaTest.capsuleId(bytes);
        raceTwoPlans(delivery(bytes), delivery(bytes));
        try (Connection c = db.connect()) {
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where capsule_id = ?", id).size());
            assertEquals(List.of("admitted", "rejected:REPLAY"), verdicts(c, "capsule_id = ?", id));
        }
    }

    @Test
    void twoCapsulesWithTheSameSequenceOfANewLineageAreNotBothAdmitted() throws Exception {
        clock.reset();
        String lineage = "payments-api:race-" + java.util.UUID.randomUUID();
        byte[] a = f.admissible(s -> {
            s.lineage = lineage;
            s.sequence = 9;
        });
        byte[] b = f.admissible(s -> {
            s.lineage = lineage;
            s.sequence = 9;
        });
        raceTwoPlans(delivery(a), delivery(b));
        try (Connection c = db.connect()) {
            assertEquals(1, Outputs.rows(c, "select 1 from admission_ledger where lineage = ?", lineage).size());
            assertEquals(List.of("admitted", "rejected:REPLAY"), verdicts(c, "lineage = ?", lineage));
        }
    }

    @Test
    void aLaterSequenceOfAnExistingLineageWaitsForTheLockAndIsNotAdmittedTwice() throws Exception {
        clock.reset();
        String lineage = "payments-api:locked-" + java.util.UUID.randomUUID();
        admission.process(List.of(delivery(f.admissible(s -> {
            s.lineage = lineage;
            s.sequence = 1;
        }))));
        byte[] two = f.admissible(s -> {
            s.lineage = lineage;
            s.sequence = 2;
        });
        raceTwoPlans(delivery(two), delivery(two));
        try (Connection c = db.connect()) {
            assertEquals(2, Outputs.rows(c, "select 1 from admission_ledger where lineage = ?", lineage).size());
            assertEquals(2L, Outputs.rows(c, "select last_sequence from lineage_head where lineage = ?", lineage)
                    .get(0).get("last_sequence"));
            assertEquals(List.of("admitted", "admitted", "rejected:REPLAY"), verdicts(c, "lineage = ?", lineage));
        }
    }

    /**
     * Decides both deliveries on the same committed state (both plans admit), then commits them concurrently: exactly
     * one transaction may succeed. The loser is then handed to the admission service, which decides it again.
     */
    private void raceTwoPlans(Inbound first, Inbound second) throws Exception {
        BatchPlan p1 = decider.decide(List.of(first));
        BatchPlan p2 = decider.decide(List.of(second));
        assertEquals(1, p1.admissions().size());
        assertEquals(1, p2.admissions().size());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (BatchPlan p : List.of(p1, p2)) {
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        Db.await(() -> repository.commit(p, clock.instant()));
                        return true;
                    } catch (RuntimeException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            boolean ok1 = results.get(0).get();
            boolean ok2 = results.get(1).get();
            assertTrue(ok1 ^ ok2, "exactly one of two conflicting transactions commits (" + ok1 + ", " + ok2 + ")");
            // the winner committed behind the service's back: its records still have to go out...
            relay.enqueue((ok1 ? p1 : p2).outbox());
            // ...and the loser's record was not acknowledged: it is decided again, and the service's in-memory view,
            // which does not know the winner, is corrected by what PostgreSQL shows under lock
            admission.process(List.of(ok1 ? second : first));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The repository's look-ups and deletes take one value or many (one value keeps Hibernate's cached query plan, see
     * GatewayRepository#in): the same rows either way, and a delete removes exactly the rows named.
     */
    @Test
    void inboxLookUpsAndOutboxDeletesWorkForOneValueAndForMany() {
        List<InboxEntry> inbox = new ArrayList<>();
        List<OutboxMessage> outbox = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            InboxEntry e = new InboxEntry();
            e.recordTopic = TOPIC;
            e.recordPartition = 0;
            e.recordOffset = OFFSETS.incrementAndGet();
            e.inboundDigest = "sha256:" + "0".repeat(63) + i;
            e.delivery = InboxEntry.delivery(TOPIC, 0, e.recordOffset, e.inboundDigest);
            e.verdictId = UUID.randomUUID();
            e.processedAt = clock.instant();
            inbox.add(e);
            OutboxMessage m = new OutboxMessage();
            m.topic = Topics.ADMISSIONS;
            m.recordKey = "repository-test-" + i;
            m.ceType = "test";
            m.ceId = UUID.randomUUID().toString();
            m.ceTime = clock.instant();
            m.value = new byte[] {(byte) i};
            m.verdictId = e.verdictId;
            m.createdAt = clock.instant();
            outbox.add(m);
        }
        List<Object> rows = new ArrayList<>(inbox);
        rows.addAll(outbox);
        Db.await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.persistAll(rows.toArray()))));
        String unknown = InboxEntry.delivery(TOPIC, 0, OFFSETS.incrementAndGet(), "sha256:" + "f".repeat(64));

        assertEquals(Set.of(inbox.get(0).delivery), Db.await(() -> repository.processed(List.of(inbox.get(0).delivery))));
        assertEquals(Set.of(), Db.await(() -> repository.processed(List.of(unknown))));
        assertEquals(Set.of(inbox.get(1).delivery, inbox.get(3).delivery), Db.await(() -> repository.processed(
                List.of(inbox.get(1).delivery, unknown, inbox.get(3).delivery))));

        List<Long> ids = outbox.stream().map(m -> m.id).toList();
        assertEquals(1, Db.await(() -> repository.deleteOutbox(List.of(ids.get(2)))));
        assertEquals(2, Db.await(() -> repository.deleteOutbox(List.of(ids.get(0), ids.get(3), -1L))));
        List<Long> left = Db.await(() -> repository.pendingOutbox()).stream().map(m -> m.id).filter(ids::contains)
                .toList();
        assertEquals(List.of(ids.get(1)), left);
        assertEquals(1, Db.await(() -> repository.deleteOutbox(List.of(ids.get(1)))));
    }

    /**
     * The gateway's connections plan every execution for its own values (application.properties,
     * {@code plan_cache_mode}): a generic plan made while the inbox was small kept scanning it whole for each batch of
     * deliveries after it had grown, until autovacuum next analysed the table (1.0-1.1 ms of PostgreSQL CPU per 10 KB
     * capsule in the gateway bench, against 0.16 ms with this setting).
     */
    @Test
    void theGatewaysConnectionsPlanEachStatementForItsOwnValues() {
        // the setting travels in the pool's connect options, the same for every connection the pool opens
        assertEquals("force_custom_plan", Db.await(() -> Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createNativeQuery("show plan_cache_mode", String.class).getSingleResult()))));
    }

    private static List<String> verdicts(Connection c, String where, String arg) throws Exception {
        return Outputs.rows(c, "select verdict, reason from verdicts where " + where + " order by decided_at, verdict",
                arg).stream().map(r -> r.get("reason") == null ? (String) r.get("verdict")
                        : r.get("verdict") + ":" + r.get("reason")).sorted().toList();
    }
}
