package dev.airlock.diode.receive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of sequence numbers kept as disjoint closed ranges — the receiver's "delivered" memory stays a handful of
 * ranges however many messages passed, and grows only with the number of unrepaired holes.
 */
public final class RangeSet {
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    public boolean contains(long v) {
        Map.Entry<Long, Long> e = ranges.floorEntry(v);
        return e != null && e.getValue() >= v;
    }

    public void add(long v) {
        addRange(v, v);
    }

    public void addRange(long from, long to) {
        if (to < from) {
            throw new IllegalArgumentException("empty range");
        }
        long lo = from;
        long hi = to;
        Map.Entry<Long, Long> before = ranges.floorEntry(lo);
        if (before != null && before.getValue() >= lo - 1) {
            lo = before.getKey();
            hi = Math.max(hi, before.getValue());
        }
        while (true) {
            Map.Entry<Long, Long> next = ranges.ceilingEntry(lo);
            if (next == null || next.getKey() > hi + 1) {
                break;
            }
            hi = Math.max(hi, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(lo, hi);
    }

    public void addAll(RangeSet other) {
        other.ranges.forEach(this::addRange);
    }

    /** Smallest value ≥ {@code from} not in the set. */
    public long firstAbsentFrom(long from) {
        Map.Entry<Long, Long> e = ranges.floorEntry(from);
        if (e != null && e.getValue() >= from) {
            return e.getValue() + 1;
        }
        return from;
    }

    /** Smallest member > {@code v}, or {@link Long#MAX_VALUE}. */
    public long firstMemberAbove(long v) {
        if (contains(v + 1)) {
            return v + 1;
        }
        Long k = ranges.higherKey(v);
        return k == null ? Long.MAX_VALUE : k;
    }

    public long max() {
        return ranges.isEmpty() ? 0 : ranges.lastEntry().getValue();
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public long count() {
        long n = 0;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            n += e.getValue() - e.getKey() + 1;
        }
        return n;
    }

    /** [[from, to], …] ascending. */
    public List<long[]> toList() {
        List<long[]> out = new ArrayList<>();
        ranges.forEach((a, b) -> out.add(new long[] {a, b}));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        ranges.forEach((a, b) -> sb.append(sb.length() > 1 ? "," : "").append(a).append(a.equals(b) ? "" : "-" + b));
        return sb.append(']').toString();
    }
}
