package dev.airlock.diode.send;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rate limit is the receiver's only protection on a one-way link: whatever the limiter does to wake up less often,
 * it must never let more through than one bucket plus the configured rate times the elapsed time.
 */
class RateLimiterTest {

    @Test
    void neverExceedsTheRateBeyondOneBurst() {
        long rate = 8_000_000; // 8 MB/s
        int datagram = 1474;
        RateLimiter limiter = new RateLimiter(rate, datagram);
        double capacity = Math.max(rate / 500.0, datagram);
        long sent = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 3000; i++) { // about 4.4 MB: a bit over half a second at this rate
            limiter.acquire(datagram);
            sent += datagram;
            double elapsed = (System.nanoTime() - start) / 1e9;
            long soFar = sent;
            assertTrue(soFar <= capacity + rate * elapsed + datagram,
                    () -> "sent more than the rate allows: " + soFar + " bytes in " + elapsed + " s");
        }
    }
}
