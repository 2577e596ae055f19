package dev.airlock.gateway.service;

import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.gateway.domain.InboxEntry;
import dev.airlock.gateway.domain.LedgerEntry;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.domain.PolicyHistoryEntry;
import dev.airlock.gateway.domain.VerdictRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Everything one batch of inbound records decided, to be written in one transaction: the verdicts, the inbox
 * entries, the ledger rows and lineage heads, the policies installed, and the records to publish (outbox). Nothing of
 * it is visible to anyone until that transaction committed.
 */
public final class BatchPlan {
    /** Final head of each lineage admitted into by this batch. */
    public record Head(String lineage, long sequence, String capsuleId) {
    }

    final List<VerdictRecord> verdicts = new ArrayList<>();
    final List<InboxEntry> inbox = new ArrayList<>();
    final List<LedgerEntry> admissions = new ArrayList<>();
    final Map<String, Head> heads = new LinkedHashMap<>();
    final List<PolicyHistoryEntry> policies = new ArrayList<>();
    final List<OutboxMessage> outbox = new ArrayList<>();
    List<TrustedPolicy> policyHistoryAfter;
    Map<String, Boolean> assumedAdmitted = Map.of();
    Map<String, OptionalLong> assumedHeads = Map.of();
    int admitted;
    int rejected;
    int policiesInstalled;
    int policiesRejected;

    /** Appends what one record decided ({@code part}), after everything decided before it. */
    void add(BatchPlan part) {
        verdicts.addAll(part.verdicts);
        inbox.addAll(part.inbox);
        admissions.addAll(part.admissions);
        part.heads.values().forEach(h -> heads.merge(h.lineage(), h, (a, b) -> a.sequence() >= b.sequence() ? a : b));
        policies.addAll(part.policies);
        outbox.addAll(part.outbox);
        admitted += part.admitted;
        rejected += part.rejected;
        policiesInstalled += part.policiesInstalled;
        policiesRejected += part.policiesRejected;
    }

    public List<VerdictRecord> verdicts() {
        return verdicts;
    }

    public List<InboxEntry> inbox() {
        return inbox;
    }

    public List<LedgerEntry> admissions() {
        return admissions;
    }

    public Map<String, Head> heads() {
        return heads;
    }

    public List<PolicyHistoryEntry> policies() {
        return policies;
    }

    public List<OutboxMessage> outbox() {
        return outbox;
    }

    public Map<String, Boolean> assumedAdmitted() {
        return assumedAdmitted;
    }

    public Map<String, OptionalLong> assumedHeads() {
        return assumedHeads;
    }

    public boolean isEmpty() {
        return verdicts.isEmpty();
    }
}
