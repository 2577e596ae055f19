package dev.airlock.runner.service;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * A counting semaphore whose {@link #acquire()} never blocks: it returns a stage that completes once a permit is free.
 * Bounds the admissions taken from the broker but not yet finished without blocking the connector's thread.
 */
final class AsyncPermits {

    private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int available;

    AsyncPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("at least one permit");
        }
        this.available = permits;
    }

    CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (available > 0) {
                available--;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> later = new CompletableFuture<>();
            waiting.add(later);
            return later;
        }
    }

    void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                available++;
                return;
            }
        }
        next.complete(null); // outside the lock: the waiter's continuation may run right here
    }
}
