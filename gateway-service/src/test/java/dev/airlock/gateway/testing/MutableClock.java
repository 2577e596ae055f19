package dev.airlock.gateway.testing;

import dev.airlock.core.testing.TestPki;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's clock in {@code @QuarkusTest}s (CONVENTIONS: tests fix the clock): starts at {@link TestPki#NOW}, so
 * TestPki's documents are valid, and moves only when a test moves it.
 */
@Alternative
@Priority(1)
@Singleton
public class MutableClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(TestPki.NOW);

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    public void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
    }

    public void reset() {
        now.set(TestPki.NOW);
    }
}
