package dev.airlock.gateway.service;

import dev.airlock.core.verify.AdmissionLedger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The ledger the engine reads while one chunk is decided: the committed state as the {@link LedgerView} knows it and
 * earlier chunks will have made it ({@link Carry}), plus the admissions of earlier records of the same chunk (which
 * commit in the same transaction). Every answer taken from the committed side is remembered, so the transaction can
 * check it against PostgreSQL under lock.
 */
final class BatchLedger implements AdmissionLedger {
    private final Carry committed;
    private final Map<String, Boolean> assumedAdmitted = new LinkedHashMap<>();
    private final Map<String, OptionalLong> assumedHeads = new LinkedHashMap<>();
    private final Set<String> batchAdmitted = new HashSet<>();
    private final Map<String, Long> batchHeads = new HashMap<>();

    BatchLedger(Carry committed) {
        this.committed = committed;
    }

    @Override
    public boolean isAdmitted(String capsuleId) {
        boolean before = assumedAdmitted.computeIfAbsent(capsuleId, committed::isAdmitted);
        return before || batchAdmitted.contains(capsuleId);
    }

    @Override
    public OptionalLong lastSequence(String lineage) {
        OptionalLong before = assumedHeads.computeIfAbsent(lineage, committed::head);
        Long inBatch = batchHeads.get(lineage);
        if (inBatch == null) {
            return before;
        }
        return OptionalLong.of(before.isPresent() ? Math.max(before.getAsLong(), inBatch) : inBatch);
    }

    /** An admission decided in this batch; durable only with the batch's transaction. */
    @Override
    public void record(Entry e) {
        batchAdmitted.add(e.capsuleId());
        batchHeads.merge(e.lineage(), e.sequence(), Math::max);
    }

    /** Committed-state answers the verdicts of this batch depend on: capsule id → admitted. */
    Map<String, Boolean> assumedAdmitted() {
        return assumedAdmitted;
    }

    /** Committed-state answers the verdicts of this batch depend on: lineage → last admitted sequence. */
    Map<String, OptionalLong> assumedHeads() {
        return assumedHeads;
    }
}
