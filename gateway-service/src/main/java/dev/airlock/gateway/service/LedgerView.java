package dev.airlock.gateway.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the gateway remembers of the PostgreSQL ledger between batches: admitted capsule ids and lineage heads, loaded
 * at start-up and updated only after a transaction committed. It is a bounded cache, never the authority: every
 * answer the engine based a verdict on is re-read from PostgreSQL under a row lock in the transaction that records the
 * verdict (see {@code GatewayRepository#commit}), and a stale or missing entry makes the batch be decided again.
 */
@ApplicationScoped
public class LedgerView {
    private int capacity = 1_000_000;
    private final Map<String, Boolean> admitted = lru();
    private final Map<String, Long> heads = lru();

    private <V> Map<String, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void capacity(int entries) {
        this.capacity = Math.max(16, entries);
    }

    /** True if known admitted; false if unknown (an assumption the transaction re-checks). */
    public synchronized boolean isAdmitted(String capsuleId) {
        return Boolean.TRUE.equals(admitted.get(capsuleId));
    }

    public synchronized OptionalLong head(String lineage) {
        Long s = heads.get(lineage);
        return s == null ? OptionalLong.empty() : OptionalLong.of(s);
    }

    /** Records committed admissions. */
    public synchronized void admitted(String capsuleId, String lineage, long sequence) {
        admitted.put(capsuleId, Boolean.TRUE);
        heads.merge(lineage, sequence, Math::max);
    }

    /** Replaces entries by what PostgreSQL said under lock (after a stale assumption was detected). */
    public synchronized void learn(Map<String, Boolean> ids, Map<String, OptionalLong> lineages) {
        ids.forEach((id, present) -> {
            if (present) {
                admitted.put(id, Boolean.TRUE);
            } else {
                admitted.remove(id);
            }
        });
        lineages.forEach((l, s) -> {
            if (s.isPresent()) {
                heads.put(l, s.getAsLong());
            } else {
                heads.remove(l);
            }
        });
    }

    public synchronized void clear() {
        admitted.clear();
        heads.clear();
    }

    public synchronized int size() {
        return admitted.size();
    }
}
