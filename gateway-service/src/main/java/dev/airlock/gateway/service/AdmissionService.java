package dev.airlock.gateway.service;

import dev.airlock.gateway.repository.Db;
import dev.airlock.gateway.repository.GatewayRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Admission of one batch of inbound records, exactly once in effect (SECURITY-TESTS F.32, F.33):
 * <ol>
 *   <li>wait while the diode is stale (nothing admitted, nothing rejected for staleness);</li>
 *   <li>drop deliveries the inbox already holds (a redelivery changes nothing);</li>
 *   <li>decide the rest in memory ({@link Decider}), on this worker thread;</li>
 *   <li>one transaction: ledger state re-read under lock and compared, then verdicts, ledger, lineage heads, policy
 *       history, inbox and outbox written together ({@link GatewayRepository#commit});</li>
 *   <li>after the commit: the in-memory view and the policy in force move on, and the outbox relay publishes.</li>
 * </ol>
 * The caller acknowledges the records (commits their offsets) only after this returns. A crash anywhere before the
 * commit leaves no trace and the records are redelivered; after it, the inbox recognises the redelivery and the outbox
 * still holds what has to be published.
 */
@ApplicationScoped
public class AdmissionService {
    private static final Logger LOG = Logger.getLogger(AdmissionService.class);
    private static final int QUICK_RETRIES = 5;

    private final Decider decider;
    private final GatewayRepository repository;
    private final LedgerView view;
    private final PolicyState policies;
    private final OutboxRelay relay;
    private final DiodeFreshness freshness;
    private final GatewayStats stats;
    private final GatewayStartup startup;
    private final Clock clock;

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
                if (fresh.isEmpty()) {
                    return;
                }
                long t0 = System.nanoTime();
                BatchPlan plan = decider.decide(fresh);
                long t1 = System.nanoTime();
                Db.await(() -> repository.commit(plan, clock.instant()));
                long t2 = System.nanoTime();
                committed(plan);
                if (LOG.isDebugEnabled()) {
                    LOG.debugf("Batch of %d: decided in %d ms, recorded in %d ms (%d admitted, %d rejected)",
                            fresh.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, plan.admitted, plan.rejected);
                }
                return;
            } catch (GatewayRepository.StaleViewException e) {
                // another writer admitted into a lineage or capsule id this batch relied on: decide again on the
                // state PostgreSQL showed under lock
                LOG.infof("Ledger changed under the batch (attempt %d); deciding it again", attempt);
                view.learn(e.admitted(), e.heads());
            } catch (RuntimeException e) {
                // e.g. a concurrent first admission into the same new lineage (primary key), or the database being
                // unreachable: nothing was written; decide again, with a growing pause once quick retries are spent
                if (attempt <= QUICK_RETRIES) {
                    LOG.warnf("Batch of %d record(s) not recorded (attempt %d): %s", records.size(), attempt,
                            rootMessage(e));
                } else {
                    LOG.errorf("Batch of %d record(s) not recorded (attempt %d): %s; retrying in %d ms",
                            records.size(), attempt, rootMessage(e), backoffMs);
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, 30_000);
                }
            }
        }
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

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
