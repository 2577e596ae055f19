package dev.airlock.diode.testing;

import java.util.Locale;

/**
 * What the relay does to each datagram, all driven by one seeded {@link java.util.Random}.
 *
 * @param loss        i.i.d. drop probability
 * @param geGoodToBad Gilbert–Elliott: probability per datagram of entering the bad (burst) state
 * @param geBadToGood probability per datagram of leaving it (mean burst length 1 / geBadToGood)
 * @param geBadLoss   drop probability while in the bad state
 * @param reorder     probability that a datagram is held back and released after {@code reorderDepth} others
 * @param duplicate   probability that a datagram is forwarded twice
 * @param truncate    probability that a datagram loses a random number of trailing bytes
 * @param bitFlip     probability that one random bit of a datagram is flipped
 */
public record Faults(double loss, double geGoodToBad, double geBadToGood, double geBadLoss, double reorder,
                     int reorderDepth, double duplicate, double truncate, double bitFlip, long seed) {
    public static Faults none(long seed) {
        return new Faults(0, 0, 1, 0, 0, 0, 0, 0, 0, seed);
    }

    public static Faults iid(double loss, long seed) {
        return new Faults(loss, 0, 1, 0, 0, 0, 0, 0, 0, seed);
    }

    /** Everything at once: i.i.d. loss plus bursts, reordering, duplicates, truncation and bit flips. */
    public static Faults hostile(double loss, long seed) {
        return new Faults(loss, 0.002, 0.25, 0.7, 0.02, 7, 0.02, 0.01, 0.01, seed);
    }

    /** Average fraction of datagrams lost, counting truncated and flipped ones (they become erasures). */
    public double effectiveLoss() {
        double pBad = geGoodToBad == 0 ? 0 : geGoodToBad / (geGoodToBad + geBadToGood);
        return 1 - (1 - loss) * (1 - pBad * geBadLoss) * (1 - truncate) * (1 - bitFlip);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "loss=%.4f ge=%.4f/%.2f/%.2f reorder=%.3f dup=%.3f trunc=%.3f flip=%.3f seed=%d",
                loss, geGoodToBad, geBadToGood, geBadLoss, reorder, duplicate, truncate, bitFlip, seed);
    }
}
