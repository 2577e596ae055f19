package dev.airlock.gateway.service;

import dev.airlock.core.verify.AdmissionLedger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The ledger the engine reads while one batch is decided: the committed state as the {@link LedgerView} knows it,
 * plus the admissions of earlier records of the same batch (which commit in the same transaction). Every answer taken
 * from the view is remembered, so the transaction can check it against PostgreSQL under lock.
 */
final class BatchLedger implements AdmissionLedger {
    private final LedgerView view;
    private final Map<String, Boolean> assumedAdmitted = new LinkedHashMap<>();
    private final Map<String, OptionalLong> assumedHeads = new LinkedHashMap<>();
    private final Set<String> batchAdmitted = new HashSet<>();
    private final Map<String, Long> batchHeads = new HashMap<>();

    BatchLedger(LedgerView view) {
        this.view = view;
    }

    @Override
    public boolean isAdmitted(String capsuleId) {
        boolean committed = assumedAdmitted.computeIfAbsent(capsuleId, view::isAdmitted);
        return committed || batchAdmitted.contains(capsuleId);
    }

    @Override
    public OptionalLong lastSequence(String lineage) {
        OptionalLong committed = assumedHeads.computeIfAbsent(lineage, view::head);
        Long inBatch = batchHeads.get(lineage);
        if (inBatch == null) {
            return committed;
        }
        return OptionalLong.of(committed.isPresent() ? Math.max(committed.getAsLong(), inBatch) : inBatch);
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
