package dev.airlock.planner.service;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Start-up and the periodic reconciliation: the fleets run and the outbox is drained at start (work a crash left
 * behind) and every {@code airlock.planner.reconcile-interval}, besides the runs each intake triggers.
 */
@ApplicationScoped
public class Lifecycle {

    @Inject
    ProposalService proposals;

    void onStart(@Observes StartupEvent event) {
        proposals.kick();
    }

    @Scheduled(every = "${airlock.planner.reconcile-interval:30s}", delayed = "${airlock.planner.reconcile-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        proposals.kick();
    }
}
