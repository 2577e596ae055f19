package dev.airlock.gateway.service;

import dev.airlock.core.events.Topics;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.messaging.AdmissionsPublisher;
import dev.airlock.gateway.messaging.EvidenceRawPublisher;
import dev.airlock.gateway.repository.Db;
import dev.airlock.gateway.repository.GatewayRepository;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the outbox (transactional outbox): records written in the transaction that decided them are sent, in the
 * order they were decided, with the idempotent {@code acks=all} producers, and deleted once the broker acknowledged
 * them. A crash between the commit and the send loses nothing (the rows are still there at start-up); a crash between
 * the send and the delete sends the same record again, byte for byte with the same {@code ce_id}, which consumers
 * de-duplicate (ARCHITECTURE §4). The queue is bounded: the inbound consumer waits when the broker is slower.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int CHUNK_RECORDS = 64;
    private static final long CHUNK_BYTES = 32L * 1024 * 1024;
    private static final int MAX_QUEUED_RECORDS = 1024;
    private static final long MAX_QUEUED_BYTES = 128L * 1024 * 1024;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(120);

    private final AdmissionsPublisher admissions;
    private final EvidenceRawPublisher evidence;
    private final GatewayRepository repository;
    private final ArrayDeque<OutboxMessage> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long published;
    private volatile boolean running;
    private Thread worker;

    @Inject
    public OutboxRelay(AdmissionsPublisher admissions, EvidenceRawPublisher evidence, GatewayRepository repository) {
        this.admissions = admissions;
        this.evidence = evidence;
        this.repository = repository;
    }

    /** Starts relaying, beginning with what an earlier run committed but did not get acknowledged. */
    public synchronized void start(List<OutboxMessage> pending) {
        if (running) {
            return;
        }
        if (!pending.isEmpty()) {
            LOG.infof("Relaying %d record(s) decided before the last stop", pending.size());
        }
        pending.forEach(this::add);
        running = true;
        worker = new Thread(this::run, "outbox-relay");
        worker.setDaemon(true);
        worker.start();
    }

    /** Hands over the records of a committed transaction, in order. */
    public synchronized void enqueue(List<OutboxMessage> committed) {
        committed.forEach(this::add);
        notifyAll();
    }

    /** Blocks while the relay is too far behind, so a slow broker slows the consumer instead of filling memory. */
    public synchronized void awaitCapacity() throws InterruptedException {
        while (running && (queue.size() >= MAX_QUEUED_RECORDS || queuedBytes >= MAX_QUEUED_BYTES)) {
            wait(1000);
        }
    }

    /** Blocks until everything handed over so far was acknowledged and deleted (tests, shutdown). */
    public synchronized boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized int queued() {
        return queue.size();
    }

    public synchronized long published() {
        return published;
    }

    private void add(OutboxMessage m) {
        queue.addLast(m);
        queuedBytes += m.toPublish().length;
    }

    private synchronized List<OutboxMessage> nextChunk() throws InterruptedException {
        while (running && queue.isEmpty()) {
            wait(1000);
        }
        List<OutboxMessage> chunk = new ArrayList<>();
        long bytes = 0;
        for (OutboxMessage m : queue) {
            if (!chunk.isEmpty() && (chunk.size() >= CHUNK_RECORDS || bytes + m.toPublish().length > CHUNK_BYTES)) {
                break;
            }
            chunk.add(m);
            bytes += m.toPublish().length;
        }
        return chunk;
    }

    private synchronized void done(List<OutboxMessage> chunk) {
        for (OutboxMessage m : chunk) {
            OutboxMessage head = queue.pollFirst();
            queuedBytes -= head.toPublish().length;
        }
        published += chunk.size();
        notifyAll();
    }

    private void run() {
        long backoffMs = 100;
        while (running) {
            List<OutboxMessage> chunk;
            try {
                chunk = nextChunk();
            } catch (InterruptedException e) {
                return;
            }
            if (chunk.isEmpty()) {
                continue;
            }
            try {
                send(chunk);
                if (chunk.stream().anyMatch(m -> Topics.ADMISSIONS.equals(m.topic))) {
                    CrashPoints.reached(CrashPoints.AFTER_PUBLISH);
                }
                Db.await(() -> repository.deleteOutbox(chunk.stream().map(m -> m.id).toList()));
                done(chunk);
                backoffMs = 100;
            } catch (RuntimeException e) {
                // nothing is dropped: the same chunk is sent again (identical records) after a pause
                LOG.warnf("Outbox relay: %s; retrying %d record(s) in %d ms", describe(e), chunk.size(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }

    private void send(List<OutboxMessage> chunk) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(chunk.size());
        for (OutboxMessage m : chunk) {
            acks.add((switch (m.topic) {
                case Topics.ADMISSIONS -> admissions.publish(m.recordKey, m.ceType, m.toPublish(), m.ceId, m.ceTime);
                case Topics.EVIDENCE_RAW -> evidence.publish(m.recordKey, m.ceType, m.toPublish(), m.ceId, m.ceTime);
                default -> throw new IllegalStateException("outbox row " + m.id + " names topic " + m.topic);
            }).toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        } catch (Exception e) {
            throw new IllegalStateException("send failed: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    void stop(@Observes ShutdownEvent event) {
        try {
            // give acknowledged work a moment to leave; whatever is left stays in the outbox for the next start
            awaitDrained(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            running = false;
            notifyAll();
        }
        if (worker != null) {
            worker.interrupt();
        }
    }
}
