package dev.airlock.core.verify;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** Ledger in memory (tests, the approval service's early checks). Thread-safe. */
public final class InMemoryLedger implements AdmissionLedger {
    private final Set<String> admitted = new HashSet<>();
    private final Map<String, Long> lineages = new HashMap<>();

    @Override
    public synchronized boolean isAdmitted(String capsuleId) {
        return admitted.contains(capsuleId);
    }

    @Override
    public synchronized OptionalLong lastSequence(String lineage) {
        Long s = lineages.get(lineage);
        return s == null ? OptionalLong.empty() : OptionalLong.of(s);
    }

    @Override
    public synchronized void record(Entry e) {
        admitted.add(e.capsuleId());
        lineages.merge(e.lineage(), e.sequence(), Math::max);
    }
}
