package dev.airlock.evidence;

import dev.airlock.core.testing.TestPki;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** The service's clock in tests: fixed, moved by the tests that need time to pass (retention, the dashboard). */
public final class MutableClock extends Clock {
    public static final MutableClock INSTANCE = new MutableClock();
    private final AtomicReference<Instant> now = new AtomicReference<>(TestPki.NOW);

    public void set(Instant instant) {
        now.set(instant);
    }

    public void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
    }

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
}
