package dev.airlock.diode.send;

import java.util.concurrent.locks.LockSupport;

/**
 * Token bucket in bytes per second. A diode has no back-channel, so the only protection of the receiver (and of the
 * link) is that the sender never exceeds the rate the receiving side was sized for.
 */
public final class RateLimiter {
    private final double bytesPerNano;
    private final double capacity;
    private double tokens;
    private long last;

    /**
     * @param largestDatagram the largest single send, which must always fit the bucket
     */
    public RateLimiter(long bytesPerSecond, int largestDatagram) {
        this.bytesPerNano = bytesPerSecond / 1e9;
        // at most 2 ms worth of burst: the receiver's socket buffer, not the sender, absorbs bursts
        this.capacity = Math.max(bytesPerSecond / 500.0, largestDatagram);
        this.tokens = 0;
        this.last = System.nanoTime();
    }

    /** Blocks until {@code bytes} may be sent. */
    public synchronized void acquire(int bytes) {
        while (true) {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) * bytesPerNano);
            last = now;
            if (tokens >= bytes) {
                tokens -= bytes;
                return;
            }
            LockSupport.parkNanos((long) ((bytes - tokens) / bytesPerNano));
        }
    }
}
