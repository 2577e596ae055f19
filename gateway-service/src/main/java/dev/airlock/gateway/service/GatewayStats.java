package dev.airlock.gateway.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicLong;

/** Counters for the status file: committed capsule verdicts (all time, loaded at start) and policy decisions. */
@ApplicationScoped
public class GatewayStats {
    final AtomicLong admitted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong policiesInstalled = new AtomicLong();
    final AtomicLong policiesRejected = new AtomicLong();

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

    void committed(BatchPlan plan) {
        admitted.addAndGet(plan.admitted);
        rejected.addAndGet(plan.rejected);
        policiesInstalled.addAndGet(plan.policiesInstalled);
        policiesRejected.addAndGet(plan.policiesRejected);
    }
}
