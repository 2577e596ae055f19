package dev.airlock.planner.fleet;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** Capsule ids: UUID version 7 (RFC 9562 §5.7), time-ordered, so ids sort by creation in logs and tables. */
public final class CapsuleIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private CapsuleIds() {
    }

    public static String next(Clock clock) {
        long ms = clock.millis();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (ms << 16) | 0x7000L | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
