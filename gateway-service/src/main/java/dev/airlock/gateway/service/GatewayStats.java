package dev.airlock.gateway.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters for the status file: committed capsule verdicts (all time, loaded at start), policy decisions, and
 * admissions that could not be published after a restart.
 */
@ApplicationScoped
public class GatewayStats {
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong policiesInstalled = new AtomicLong();
    private final AtomicLong policiesRejected = new AtomicLong();
    private final AtomicLong unpublishable = new AtomicLong();

    public long admitted() {
        return admitted.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public long policiesInstalled() {
        return policiesInstalled.get();
    }

    public long policiesRejected() {
        return policiesRejected.get();
    }

    /** Admissions left in the outbox at start-up: their capsule could not be read back ({@link CapsuleRecall}). */
    public long unpublishable() {
        return unpublishable.get();
    }

    void unpublishable(long rows) {
        unpublishable.set(rows);
    }

    /** The all-time capsule verdict counts, read from PostgreSQL at start-up. */
    void load(long admittedSoFar, long rejectedSoFar) {
        admitted.set(admittedSoFar);
        rejected.set(rejectedSoFar);
    }

    void committed(BatchPlan plan) {
        admitted.addAndGet(plan.admitted);
        rejected.addAndGet(plan.rejected);
        policiesInstalled.addAndGet(plan.policiesInstalled);
        policiesRejected.addAndGet(plan.policiesRejected);
    }
}
