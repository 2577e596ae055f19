package dev.airlock.evidence.service;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Start-up (log head, policy history) and the schedules: checkpoints, the projection outbox relay, retention. */
@ApplicationScoped
public class Scheduled {
    private static final Logger LOG = Logger.getLogger(Scheduled.class);

    @Inject
    EvidenceLog log;
    @Inject
    PolicyService policies;
    @Inject
    RetentionService retention;

    void onStart(@Observes @Priority(1) StartupEvent event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> log.ensureHead().chain(policies::load));
    }

    @io.quarkus.scheduler.Scheduled(every = "${airlock.evidence.checkpoint-interval:PT30S}",
            delayed = "${airlock.evidence.checkpoint-interval:PT30S}", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> checkpoint() {
        return log.checkpointNow().replaceWithVoid()
                .onFailure().invoke(t -> LOG.errorf(t, "Scheduled checkpoint failed"))
                .onFailure().recoverWithNull();
    }

    @Inject
    ProjectionService projections;

    @io.quarkus.scheduler.Scheduled(every = "PT10S", delayed = "PT10S", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> outbox() {
        return projections.projectPending().replaceWithVoid()
                .onFailure().invoke(t -> LOG.warnf("Outbox relay: %s", t.getMessage()))
                .onFailure().recoverWithNull();
    }

    @io.quarkus.scheduler.Scheduled(every = "${airlock.evidence.retention-interval:PT1H}",
            delayed = "${airlock.evidence.retention-interval:PT1H}", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> retention() {
        return retention.purgeNow().replaceWithVoid()
                .onFailure().invoke(t -> LOG.errorf(t, "Scheduled retention purge failed"))
                .onFailure().recoverWithNull();
    }
}
