package dev.airlock.approval.service;

import dev.airlock.approval.config.ApprovalConfig;
import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.domain.CapsuleStatus;
import dev.airlock.approval.messaging.SignedCapsulesPublisher;
import dev.airlock.approval.repository.AuditRepository;
import dev.airlock.approval.repository.CapsuleRepository;
import dev.airlock.approval.repository.CapsuleRow;
import dev.airlock.approval.repository.Db;
import dev.airlock.approval.repository.OutboxRepository;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes the outbox to {@code airlock.capsules.signed.v1} (transactional outbox). Rows are claimed (FOR UPDATE SKIP
 * LOCKED, with a claim deadline so several instances share the work), published with the idempotent producer
 * ({@code acks=all}), and marked sent, with the capsule's status set to {@code emitted}, only after the broker's
 * acknowledgement. Woken right after an authorization commits; a scheduled pass catches anything left (a failed
 * publication, a restart).
 *
 * <p>Each capsule has one outbox row, so it is emitted once. The one window left is a crash after the broker's ack and
 * before the row is marked: that record is published again on restart, with the same key and bytes; the gateway's
 * admission ledger answers the copy with REPLAY.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 128;

    private final Db db;
    private final OutboxRepository outbox;
    private final CapsuleRepository capsules;
    private final AuditRepository audit;
    private final SignedCapsulesPublisher publisher;
    private final ApprovalConfig config;
    private final Clock clock;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "airlock-outbox-relay");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean scheduled = new AtomicBoolean();

    @Inject
    public OutboxRelay(Db db, OutboxRepository outbox, CapsuleRepository capsules, AuditRepository audit,
                       SignedCapsulesPublisher publisher, ApprovalConfig config, Clock clock) {
        this.db = db;
        this.outbox = outbox;
        this.capsules = capsules;
        this.audit = audit;
        this.publisher = publisher;
        this.config = config;
        this.clock = clock;
    }

    /** Schedules a drain unless one is already waiting to start. */
    public void kick() {
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    @Scheduled(every = "${airlock.approval.relay-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        kick();
    }

    private void drain() {
        scheduled.set(false);
        try {
            while (drainOnce()) {
                // another batch may be waiting
            }
        } catch (RuntimeException e) {
            LOG.warnf("Outbox relay pass failed, retried on the next pass: %s", e.toString());
        }
    }

    /** @return true when a full batch was published (more may be waiting) */
    boolean drainOnce() {
        Instant now = clock.instant();
        // Claims are leases between relay instances: wall-clock time, not the service's (possibly fixed) clock.
        List<OutboxRepository.Entry> batch = db.tx(c -> outbox.claim(c, Instant.now(),
                Instant.now().plus(config.relayClaim()), BATCH));
        if (batch.isEmpty()) {
            return false;
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (OutboxRepository.Entry e : batch) {
            sent.add(publisher.publish(e.capsuleId(), SignedCapsule.SCHEMA, e.payload()).toCompletableFuture());
        }
        List<OutboxRepository.Entry> acked = new ArrayList<>();
        List<OutboxRepository.Entry> failed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            try {
                sent.get(i).get(60, TimeUnit.SECONDS);
                acked.add(batch.get(i));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                failed.add(batch.get(i));
            } catch (Exception ex) {
                LOG.warnf("Publishing signed capsule %s failed (retried): %s", batch.get(i).capsuleId(), ex.toString());
                failed.add(batch.get(i));
            }
        }
        db.tx(c -> {
            Instant at = clock.instant();
            for (OutboxRepository.Entry e : acked) {
                if (outbox.markSent(c, e.id(), at)) {
                    CapsuleRow row = capsules.find(c, e.capsuleId()).orElseThrow();
                    capsules.setStatus(c, e.capsuleId(), CapsuleStatus.EMITTED, null, row.detail(), at);
                    audit.append(c, AuditEvent.of(AuditKind.SIGNED_CAPSULE_EMITTED).actor("approval-service")
                            .via("kafka").capsule(e.capsuleId(), row.capsuleDigest(), row.tier())
                            .detail("acknowledged by the broker on airlock.capsules.signed.v1")
                            .subject(Hex.digest(e.payload())).at(at));
                }
            }
            for (OutboxRepository.Entry e : failed) {
                outbox.release(c, e.id());
            }
            return null;
        });
        LOG.debugf("Outbox relay: %d published, %d to retry (pass started %s)", acked.size(), failed.size(), now);
        return failed.isEmpty() && batch.size() == BATCH;
    }

    @PreDestroy
    void stop() {
        executor.shutdown();
    }
}
