package dev.airlock.gateway.service;

import dev.airlock.gateway.repository.Db;
import dev.airlock.gateway.repository.GatewayRepository;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Admission of one batch of inbound records, exactly once in effect (SECURITY-TESTS F.32, F.33):
 * <ol>
 *   <li>wait while the diode is stale (nothing admitted, nothing rejected for staleness);</li>
 *   <li>drop deliveries the inbox already holds (a redelivery changes nothing);</li>
 *   <li>decide the rest in memory ({@link Decider}), chunk by chunk, in offset order: the checks that need no ledger
 *       and the signing on the {@link DecisionPool}'s threads, REPLAY and policies on this worker thread;</li>
 *   <li>one transaction per chunk, on the ledger-writer thread, strictly in order: the ledger state the chunk relied on
 *       is re-read under lock and compared, then verdicts, ledger, lineage heads, policy history, inbox and outbox are
 *       written together ({@link GatewayRepository#commit}); the next chunk is decided while this one is written;</li>
 *   <li>after each commit: the in-memory view and the policy in force move on, and the outbox relay publishes.</li>
 * </ol>
 * The caller acknowledges the records (commits their offsets) only after this returns, i.e. after every chunk
 * committed. If a chunk's transaction fails, no later chunk is written; the whole delivery is then taken up again:
 * what committed is recognised by the inbox, the rest is decided again on what PostgreSQL holds. A crash anywhere
 * leaves either no trace of a record (it is redelivered and decided) or its full trace (the inbox recognises it and the
 * outbox still holds what has to be published).
 */
@ApplicationScoped
public class AdmissionService {
    private static final Logger LOG = Logger.getLogger(AdmissionService.class);
    private static final int QUICK_RETRIES = 5;
    /** A chunk: enough records to amortise a transaction, small enough to overlap deciding and writing. */
    private static final int CHUNK_RECORDS = 32;
    private static final long CHUNK_BYTES = 16L * 1024 * 1024;

    private final Decider decider;
    private final GatewayRepository repository;
    private final LedgerView view;
    private final PolicyState policies;
    private final OutboxRelay relay;
    private final DiodeFreshness freshness;
    private final GatewayStats stats;
    private final GatewayStartup startup;
    private final Clock clock;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ledger-writer");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public AdmissionService(Decider decider, GatewayRepository repository, LedgerView view, PolicyState policies,
            OutboxRelay relay, DiodeFreshness freshness, GatewayStats stats, GatewayStartup startup,
            Clock clock) {
        this.decider = decider;
        this.repository = repository;
        this.view = view;
        this.policies = policies;
        this.relay = relay;
        this.freshness = freshness;
        this.stats = stats;
        this.startup = startup;
        this.clock = clock;
    }

    /** Thrown by a chunk's write when an earlier chunk of the same series failed: nothing was written. */
    private static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("an earlier chunk failed", null, false, false);
        }
    }

    /** One series of chunks written in order; the first failure stops the rest. */
    private static final class Series {
        volatile boolean failed;
    }

    /** Decides and durably records {@code records} (one partition's batch, in offset order). Blocks; retries. */
    public void process(List<Inbound> records) throws InterruptedException {
        startup.awaitReady();
        freshness.awaitAdmittable();
        relay.awaitCapacity();
        long backoffMs = 200;
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                Set<String> done = Db.await(() -> repository.processed(records.stream().map(Inbound::delivery).toList()));
                List<Inbound> fresh = records.stream().filter(r -> !done.contains(r.delivery())).toList();
                if (fresh.size() < records.size()) {
                    LOG.infof("%d redelivered record(s) already decided; not deciding them again",
                            records.size() - fresh.size());
                }
                if (!fresh.isEmpty()) {
                    decideAndWrite(fresh);
                }
                return;
            } catch (GatewayRepository.StaleViewException e) {
                // another writer admitted into a lineage or capsule id this batch relied on: decide again on the
                // state PostgreSQL showed under lock
                LOG.infof("Ledger changed under the batch (attempt %d); deciding it again", attempt);
                view.learn(e.admitted(), e.heads());
            } catch (RuntimeException e) {
                // e.g. a concurrent first admission into the same new lineage (primary key), or the database being
                // unreachable: the failed chunk and the ones after it wrote nothing; decide again, with a growing
                // pause once quick retries are spent
                if (attempt <= QUICK_RETRIES) {
                    LOG.warnf("Batch of %d record(s) not fully recorded (attempt %d): %s", records.size(), attempt,
                            rootMessage(e));
                } else {
                    LOG.errorf("Batch of %d record(s) not fully recorded (attempt %d): %s; retrying in %d ms",
                            records.size(), attempt, rootMessage(e), backoffMs);
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, 30_000);
                }
            }
        }
    }

    private void decideAndWrite(List<Inbound> fresh) throws InterruptedException {
        Carry carry = decider.newCarry();
        Series series = new Series();
        List<Future<?>> writes = new ArrayList<>();
        for (List<Inbound> chunk : chunks(fresh)) {
            if (series.failed) {
                break;
            }
            long t0 = System.nanoTime();
            BatchPlan plan = decider.decide(chunk, carry);
            long decided = System.nanoTime() - t0;
            writes.add(writer.submit(() -> write(plan, series, decided)));
        }
        RuntimeException first = null;
        for (Future<?> w : writes) {
            try {
                w.get();
            } catch (ExecutionException e) {
                if (first == null && !(e.getCause() instanceof Aborted)) {
                    first = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                }
            }
        }
        if (first != null) {
            throw first;
        }
        if (series.failed) {
            throw new IllegalStateException("a chunk was not written");
        }
    }

    private void write(BatchPlan plan, Series series, long decidedNanos) {
        if (series.failed) {
            throw new Aborted();
        }
        try {
            long t0 = System.nanoTime();
            Db.await(() -> repository.commit(plan, clock.instant()));
            long written = System.nanoTime() - t0;
            committed(plan);
            if (LOG.isDebugEnabled()) {
                LOG.debugf("Chunk of %d: decided in %d ms, recorded in %d ms (%d admitted, %d rejected)",
                        plan.verdicts().size(), decidedNanos / 1_000_000, written / 1_000_000, plan.admitted,
                        plan.rejected);
            }
        } catch (RuntimeException e) {
            series.failed = true;
            throw e;
        }
    }

    private static List<List<Inbound>> chunks(List<Inbound> records) {
        List<List<Inbound>> out = new ArrayList<>();
        List<Inbound> current = new ArrayList<>();
        long bytes = 0;
        for (Inbound r : records) {
            long size = r.value() == null ? 0 : r.value().length;
            if (!current.isEmpty() && (current.size() >= CHUNK_RECORDS || bytes + size > CHUNK_BYTES)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(r);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private void committed(BatchPlan plan) {
        plan.admissions().forEach(e -> view.admitted(e.capsuleId, e.lineage, e.sequence));
        if (!plan.policies().isEmpty()) {
            policies.replace(plan.policyHistoryAfter);
        }
        stats.committed(plan);
        if (plan.admitted > 0) {
            CrashPoints.reached(CrashPoints.AFTER_COMMIT);
        }
        relay.enqueue(plan.outbox());
    }

    void stop(@Observes ShutdownEvent event) {
        writer.shutdown();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
