package dev.airlock.gateway.repository;

import dev.airlock.gateway.domain.InboxEntry;
import dev.airlock.gateway.domain.LedgerEntry;
import dev.airlock.gateway.domain.LineageHead;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.domain.PolicyHistoryEntry;
import dev.airlock.gateway.domain.VerdictRecord;
import dev.airlock.gateway.service.BatchPlan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gateway's PostgreSQL state through Hibernate Reactive. Each method returns a {@link Uni} to be run on a Vert.x
 * context ({@link Db#await}); {@link #commit} is the one transaction per inbound batch.
 */
@ApplicationScoped
public class GatewayRepository {

    /** A committed-state answer the engine relied on is no longer (or was never) true in PostgreSQL. */
    public static final class StaleViewException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, Boolean> admitted;
        private final transient Map<String, OptionalLong> heads;

        StaleViewException(Map<String, Boolean> admitted, Map<String, OptionalLong> heads) {
            super("the ledger changed under the batch", null, false, false);
            this.admitted = admitted;
            this.heads = heads;
        }

        /** What PostgreSQL holds, under lock, for every capsule id the batch consulted. */
        public Map<String, Boolean> admitted() {
            return admitted;
        }

        /** What PostgreSQL holds, under lock, for every lineage the batch consulted. */
        public Map<String, OptionalLong> heads() {
            return heads;
        }
    }

    /**
     * {@code = :name} for one value, {@code in :name} for several. Hibernate caches the plan of a query only when no
     * parameter is bound to a list: a list-valued query is translated again (HQL to SQL) on every execution, about a
     * millisecond of the gateway's CPU per capsule when, at a steady trickle, every batch holds one record. The
     * one-value form keeps its cached plan; a larger batch pays one translation for all its records.
     */
    private static String in(Collection<?> values, String name) {
        return values.size() == 1 ? "= :" + name : "in :" + name;
    }

    /** The value bound with {@link #in}: the single value itself, or the list. */
    private static Object parameter(Collection<?> values) {
        return values.size() == 1 ? values.iterator().next() : List.copyOf(values);
    }

    /** Deliveries among {@code keys} that were already decided. */
    public Uni<Set<String>> processed(Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("select i.delivery from InboxEntry i where i.delivery " + in(keys, "keys"),
                        String.class)
                .setParameter("keys", parameter(keys))
                .getResultList()
                .map(HashSet::new)));
    }

    /**
     * Writes a batch in one transaction. First the ledger state the verdicts depend on is read under lock
     * ({@code SELECT … FOR UPDATE} on the consulted lineage heads, in a fixed order so two transactions cannot
     * deadlock) and compared with what the engine was told; any difference aborts with {@link StaleViewException}
     * and the batch is decided again. A concurrent first admission into a new lineage, or of the same capsule id,
     * fails on a primary key, never admits twice.
     */
    public Uni<Void> commit(BatchPlan plan, Instant now) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> lockHeads(s, plan)
                .chain(heads -> admittedAmong(s, plan.assumedAdmitted().keySet())
                        .invoke(ids -> check(plan, heads, ids))
                        .replaceWith(heads))
                .chain(heads -> write(s, plan, heads, now))));
    }

    private static Uni<Map<String, LineageHead>> lockHeads(Mutiny.Session s, BatchPlan plan) {
        Set<String> lineages = new TreeSet<>(plan.assumedHeads().keySet());
        lineages.addAll(plan.heads().keySet());
        if (lineages.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return s.createSelectionQuery("from LineageHead h where h.lineage " + in(lineages, "ls") + " order by h.lineage",
                        LineageHead.class)
                .setParameter("ls", parameter(lineages))
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList()
                .map(list -> {
                    Map<String, LineageHead> m = new HashMap<>();
                    list.forEach(h -> m.put(h.lineage, h));
                    return m;
                });
    }

    private static Uni<Set<String>> admittedAmong(Mutiny.Session s, Set<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return s.createSelectionQuery("select e.capsuleId from LedgerEntry e where e.capsuleId " + in(ids, "ids"),
                        String.class)
                .setParameter("ids", parameter(ids))
                .getResultList()
                .map(HashSet::new);
    }

    private static void check(BatchPlan plan, Map<String, LineageHead> heads, Set<String> admitted) {
        Map<String, Boolean> dbIds = new LinkedHashMap<>();
        plan.assumedAdmitted().keySet().forEach(id -> dbIds.put(id, admitted.contains(id)));
        Map<String, OptionalLong> dbHeads = new LinkedHashMap<>();
        plan.assumedHeads().keySet().forEach(l -> {
            LineageHead h = heads.get(l);
            dbHeads.put(l, h == null ? OptionalLong.empty() : OptionalLong.of(h.lastSequence));
        });
        if (!dbIds.equals(plan.assumedAdmitted()) || !dbHeads.equals(plan.assumedHeads())) {
            throw new StaleViewException(dbIds, dbHeads);
        }
    }

    private static Uni<Void> write(Mutiny.Session s, BatchPlan plan, Map<String, LineageHead> heads, Instant now) {
        List<Object> inserts = new ArrayList<>();
        // grouped by table, so consecutive inserts batch
        inserts.addAll(plan.verdicts());
        inserts.addAll(plan.inbox());
        inserts.addAll(plan.admissions());
        for (BatchPlan.Head h : plan.heads().values()) {
            LineageHead locked = heads.get(h.lineage());
            if (locked != null) {
                // managed and locked: the change is flushed at commit
                if (h.sequence() > locked.lastSequence) {
                    locked.lastSequence = h.sequence();
                    locked.capsuleId = h.capsuleId();
                    locked.updatedAt = now;
                }
            } else {
                LineageHead n = new LineageHead();
                n.lineage = h.lineage();
                n.lastSequence = h.sequence();
                n.capsuleId = h.capsuleId();
                n.updatedAt = now;
                inserts.add(n);
            }
        }
        inserts.addAll(plan.policies());
        inserts.addAll(plan.outbox());
        return s.persistAll(inserts.toArray()).chain(s::flush);
    }

    /** The stored policy history, oldest first. */
    public Uni<List<PolicyHistoryEntry>> policyHistory() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("from PolicyHistoryEntry p order by p.version", PolicyHistoryEntry.class)
                .getResultList()));
    }

    /** Stores the policy trusted on install from the operator's file (only into an empty history). */
    public Uni<Void> installInitial(PolicyHistoryEntry entry) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("select count(p) from PolicyHistoryEntry p", Long.class).getSingleResult()
                .chain(n -> {
                    if (n != 0) {
                        return Uni.createFrom().failure(new IllegalStateException(
                                "policy_history is no longer empty; not installing the initial policy"));
                    }
                    return s.persist(entry).chain(s::flush);
                })));
    }

    /** The most recent admissions (capsule id, lineage, sequence) and every lineage head, for the in-memory view. */
    public Uni<List<Object[]>> recentAdmissions(int limit) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("select e.capsuleId, e.lineage, e.sequence from LedgerEntry e"
                        + " order by e.admittedAt desc", Object[].class)
                .setMaxResults(limit)
                .getResultList()));
    }

    public Uni<List<LineageHead>> lineageHeads(int limit) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("from LineageHead h order by h.updatedAt desc", LineageHead.class)
                .setMaxResults(limit)
                .getResultList()));
    }

    /** Capsule verdict counts: verdict → count. */
    public Uni<Map<String, Long>> capsuleVerdictCounts() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("select v.verdict, count(v) from VerdictRecord v where v.kind = 'capsule'"
                        + " group by v.verdict", Object[].class)
                .getResultList()
                .map(rows -> {
                    Map<String, Long> m = new HashMap<>();
                    rows.forEach(r -> m.put((String) r[0], (Long) r[1]));
                    return m;
                })));
    }

    /** Records decided but not yet acknowledged by the broker, in the order they were decided. */
    public Uni<List<OutboxMessage>> pendingOutbox() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("from OutboxMessage m order by m.id", OutboxMessage.class)
                .getResultList()));
    }

    /** Forgets records the broker acknowledged. */
    public Uni<Integer> deleteOutbox(List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // SQL, not HQL: Hibernate translates an HQL delete again on every execution (it keeps no plan for it), where a
        // native statement is only bound; one placeholder per id, at most a relay chunk (64) of distinct statements
        StringBuilder sql = new StringBuilder("delete from outbox where id in (");
        for (int i = 1; i <= ids.size(); i++) {
            sql.append(i == 1 ? "?" : ", ?").append(i);
        }
        sql.append(')');
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> {
            Mutiny.MutationQuery q = s.createNativeQuery(sql.toString());
            for (int i = 0; i < ids.size(); i++) {
                q.setParameter(i + 1, ids.get(i));
            }
            return q.executeUpdate();
        }));
    }

    /** Used by tests and the status file: whether a capsule id is in the ledger. */
    public Uni<LedgerEntry> ledgerEntry(String capsuleId) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.find(LedgerEntry.class, capsuleId)));
    }

    /** Verdict rows for a capsule id, oldest first. */
    public Uni<List<VerdictRecord>> verdictsFor(String capsuleId) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("from VerdictRecord v where v.capsuleId = :id order by v.decidedAt, v.recordOffset",
                        VerdictRecord.class)
                .setParameter("id", capsuleId)
                .getResultList()));
    }

    /** Inbox rows (for tests of redelivery). */
    public Uni<Long> inboxCount() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createSelectionQuery("select count(i) from InboxEntry i", Long.class).getSingleResult()));
    }

    /** The inbox row of a delivery, if any. */
    public Uni<InboxEntry> inbox(String delivery) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.find(InboxEntry.class, delivery)));
    }
}
