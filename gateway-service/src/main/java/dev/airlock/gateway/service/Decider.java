package dev.airlock.gateway.service;

import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.AdmissionLedger;
import dev.airlock.core.verify.InboundClassifier;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.config.GatewayConfig;
import dev.airlock.gateway.domain.InboxEntry;
import dev.airlock.gateway.domain.LedgerEntry;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.domain.PolicyHistoryEntry;
import dev.airlock.gateway.domain.VerdictRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides a batch of inbound records in memory, in order (ARCHITECTURE §5): signed capsules go through the one
 * {@link VerificationEngine}; signed policies through {@link PolicyTrust} (TUF-style rotation from the policy in
 * force). Produces a {@link BatchPlan}; writes nothing. Runs on a worker thread, never on the event loop.
 *
 * <p>A chunk is decided in three steps. First every capsule goes through the checks that do not read the ledger
 * ({@link VerificationEngine#prepare}: signatures, parsing, scope, approvals), on the {@link DecisionPool}'s threads
 * at once. Then, in offset order on this thread, each one gets its REPLAY check against the ledger (including what the
 * records before it in this series admitted) and policies are decided; a capsule prepared under a policy that a
 * rotation earlier in the chunk replaced is prepared again under the new one. Last, the admissions and rejection
 * evidence are signed, again at once. The verdicts are those of deciding one record after the other.
 */
@ApplicationScoped
public class Decider {
    private static final Logger LOG = Logger.getLogger(Decider.class);

    private final Clock clock;
    private final GatewayConfig config;
    private final GatewayIdentity gateway;
    private final PolicyState policies;
    private final LedgerView view;
    private final DecisionPool pool;

    @Inject
    public Decider(Clock clock, GatewayConfig config, GatewayIdentity gateway, PolicyState policies, LedgerView view,
                   DecisionPool pool) {
        this.clock = clock;
        this.config = config;
        this.gateway = gateway;
        this.policies = policies;
        this.view = view;
        this.pool = pool;
    }

    /** Decides {@code records} alone, on the committed state. */
    public BatchPlan decide(List<Inbound> records) throws InterruptedException {
        return decide(records, newCarry());
    }

    /** A fresh start for a series of chunks that will be committed in order. */
    Carry newCarry() {
        return new Carry(view, policies.workingCopy());
    }

    /** A record checked as far as it can be without the ledger, at {@code now} (its decision's one instant). */
    private record Checked(Instant now, VerificationEngine.Prepared prepared) {
    }

    /** A capsule's verdict, to be signed and recorded. */
    private record Decided(int index, Inbound in, Verdict verdict, Instant now) {
    }

    /**
     * Decides one chunk on the committed state plus what earlier chunks of the series decided ({@code carry}), and
     * adds this chunk's admissions and policy installs to {@code carry}.
     */
    BatchPlan decide(List<Inbound> records, Carry carry) throws InterruptedException {
        InMemoryPolicyStore store = carry.policies();
        TrustedPolicy atStart = store.current().orElse(null);
        List<Checked> checked = pool.map(records, in -> check(in, atStart));

        BatchLedger ledger = new BatchLedger(carry);
        BatchPlan[] parts = new BatchPlan[records.size()];
        List<Decided> capsules = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Inbound in = records.get(i);
            TrustedPolicy policy = store.current().orElse(null);
            if (policy == null && isPolicy(in.value())) {
                parts[i] = decidePolicy(in, clock.instant(), store);
                continue;
            }
            Checked c = checked.get(i);
            if (c.prepared().policy() != policy) {
                c = check(in, policy); // a rotation earlier in this chunk changed the policy in force
            }
            Verdict v = c.prepared().complete(ledger);
            // The engine reads a signed capsule; a policy envelope is MALFORMED (or TOO_LARGE under a small
            // maxCapsuleBytes) to it. Only then is the document classified, so capsules are parsed once.
            if (!v.isAdmitted() && (v.reason() == ReasonCode.MALFORMED || v.reason() == ReasonCode.TOO_LARGE)
                    && isPolicy(in.value())) {
                parts[i] = decidePolicy(in, c.now(), store);
                continue;
            }
            if (v.isAdmitted()) {
                ledger.record(new AdmissionLedger.Entry(v.capsuleId(), v.lineage(), v.sequence(), v.capsuleDigest(),
                        v.policyVersion(), c.now()));
                LOG.infof("Admitted capsule %s (lineage %s, sequence %d, %s) from %s: %s", v.capsuleId(),
                        v.lineage(), v.sequence(), v.effectiveMode(), in, v.detail());
            } else {
                LOG.infof("Rejected %s from %s: %s %s", v.capsuleId() != null ? "capsule " + v.capsuleId()
                        : "record " + in.digest(), in, v.reason(), v.detail());
            }
            capsules.add(new Decided(i, in, v, c.now()));
        }

        List<BatchPlan> signed = pool.map(capsules, this::decideCapsule);
        for (int k = 0; k < capsules.size(); k++) {
            parts[capsules.get(k).index()] = signed.get(k);
        }
        BatchPlan plan = new BatchPlan();
        for (BatchPlan part : parts) {
            plan.add(part);
        }
        plan.policyHistoryAfter = store.history();
        plan.assumedAdmitted = ledger.assumedAdmitted();
        plan.assumedHeads = ledger.assumedHeads();
        carry.absorb(plan);
        return plan;
    }

    /** Every check of §5 but REPLAY, under {@code policy}; one instant for the engine and the admission's time. */
    private Checked check(Inbound in, TrustedPolicy policy) {
        Instant now = clock.instant();
        VerificationEngine engine = new VerificationEngine(Clock.fixed(now, ZoneOffset.UTC), config.clockSkew());
        return new Checked(now, engine.prepare(in.value(), gateway.environment(), policy));
    }

    private static boolean isPolicy(byte[] value) {
        if (value == null) {
            return false;
        }
        try {
            return InboundClassifier.classify(value, StrictJson.SIGNED) == InboundClassifier.InboundKind.POLICY;
        } catch (VerificationException e) {
            return false;
        }
    }

    /** What one capsule's verdict writes: verdict, inbox, ledger row, and the signed admission or evidence. */
    private BatchPlan decideCapsule(Decided d) {
        Inbound in = d.in();
        Verdict v = d.verdict();
        Instant now = d.now();
        BatchPlan plan = new BatchPlan();
        UUID id = UUID.randomUUID();
        VerdictRecord r = verdict(in, id, VerdictRecord.KIND_CAPSULE, v.verdict(), v.reason(), v.detail(), now);
        r.capsuleId = v.capsuleId();
        r.capsuleDigest = v.capsuleDigest();
        r.lineage = v.lineage();
        r.sequence = v.sequence();
        r.policyVersion = v.policyVersion();
        r.effectiveMode = v.effectiveMode();
        plan.verdicts.add(r);
        plan.inbox.add(inbox(in, id, now));

        // v2: the signed statement names the capsule by the digest of its bytes; the capsule goes beside it unsigned
        Admission.Issued admission = Admission.issue(v, in.value(), in.digest(), now, gateway.id(), gateway.key());
        String key = v.capsuleId() != null ? v.capsuleId() : in.digest();
        byte[] record = admission.toRecord();
        OutboxMessage out = outbox(Topics.ADMISSIONS, key, PayloadTypes.ADMISSION_V2, record, id, now);
        if (admission.embedsCapsule()) {
            // the capsule is the inbound record itself, already durable in the broker: stored by reference (V3)
            out.value = admission.envelopeJson();
            out.record = record;
            out.capsuleTopic = in.topic();
            out.capsulePartition = in.partition();
            out.capsuleOffset = in.offset();
            out.capsuleDigest = in.digest();
        }
        plan.outbox.add(out);

        if (v.isAdmitted()) {
            LedgerEntry e = new LedgerEntry();
            e.capsuleId = v.capsuleId();
            e.lineage = v.lineage();
            e.sequence = v.sequence();
            e.capsuleDigest = v.capsuleDigest();
            e.policyVersion = v.policyVersion();
            e.verdictId = id;
            e.admittedAt = now;
            plan.admissions.add(e);
            plan.heads.put(v.lineage(), new BatchPlan.Head(v.lineage(), v.sequence(), v.capsuleId()));
            plan.admitted++;
        } else {
            String evidenceKey = v.capsuleId() != null ? v.capsuleId() : RejectionEvidence.unknownId(in.digest());
            byte[] bundle = EvidenceBundles.sign(RejectionEvidence.capsule(v, in.digest(), gateway, now),
                    gateway.key()).toJson();
            plan.outbox.add(outbox(Topics.EVIDENCE_RAW, evidenceKey, PayloadTypes.IN_TOTO, bundle, id, now));
            plan.rejected++;
        }
        return plan;
    }

    private BatchPlan decidePolicy(Inbound in, Instant now, InMemoryPolicyStore store) {
        BatchPlan plan = new BatchPlan();
        UUID id = UUID.randomUUID();
        Optional<TrustedPolicy> current = store.current();
        Long inForce = current.map(TrustedPolicy::version).orElse(null);
        try {
            if (current.isEmpty()) {
                // Trust on install happens only from the operator's file, never from what crossed the diode.
                throw new VerificationException(ReasonCode.POLICY_INVALID, "no policy is installed: the first policy"
                        + " is trusted on install only from airlock.gateway.initial-policy");
            }
            PolicyTrust.Accepted a = new PolicyTrust(Clock.fixed(now, ZoneOffset.UTC)).accept(in.value(), current,
                    store);
            TrustedPolicy p = a.policy();
            VerdictRecord r;
            if (a.changed()) {
                store.install(p);
                PolicyHistoryEntry h = new PolicyHistoryEntry();
                h.version = p.version();
                h.digest = p.digest();
                h.envelope = in.value().clone();
                h.source = PolicyHistoryEntry.SOURCE_INBOUND;
                h.installedAt = now;
                plan.policies.add(h);
                plan.policiesInstalled++;
                r = verdict(in, id, VerdictRecord.KIND_POLICY, VerdictRecord.INSTALLED, null,
                        "policy version " + p.version() + " installed as a rotation of version " + inForce, now);
                LOG.infof("Installed policy version %d (%s) from %s, rotating version %d", p.version(), p.digest(),
                        in, inForce);
                for (String warning : warnings(p, gateway)) {
                    LOG.warnf("Policy version %d: %s", p.version(), warning);
                }
            } else {
                r = verdict(in, id, VerdictRecord.KIND_POLICY, VerdictRecord.UNCHANGED, null,
                        "policy version " + p.version() + " is already in force", now);
                LOG.debugf("Policy version %d delivered again from %s", p.version(), in);
            }
            r.policyVersion = p.version();
            plan.verdicts.add(r);
            plan.inbox.add(inbox(in, id, now));
        } catch (VerificationException e) {
            String digest = in.digest();
            try {
                digest = Envelope.parse(in.value(), StrictJson.SIGNED).payloadDigest();
            } catch (VerificationException | RuntimeException unparsable) {
                // subject stays the digest of the received bytes
            }
            VerdictRecord r = verdict(in, id, VerdictRecord.KIND_POLICY, Verdict.REJECTED, e.reason(), e.detail(), now);
            r.policyVersion = inForce;
            plan.verdicts.add(r);
            plan.inbox.add(inbox(in, id, now));
            byte[] bundle = EvidenceBundles.sign(
                    RejectionEvidence.policy(digest, e.reason(), e.detail(), inForce, gateway, now), gateway.key())
                    .toJson();
            plan.outbox.add(outbox(Topics.EVIDENCE_RAW, RejectionEvidence.policyId(digest), PayloadTypes.IN_TOTO,
                    bundle, id, now));
            plan.policiesRejected++;
            LOG.warnf("Refused policy %s from %s: %s %s", digest, in, e.reason(), e.detail());
        }
        return plan;
    }

    /** What an operator should know about a policy this gateway runs under. */
    public static List<String> warnings(TrustedPolicy p, GatewayIdentity gateway) {
        List<String> out = new ArrayList<>();
        if (p.environment(gateway.environment()).isEmpty()) {
            out.add("environment '" + gateway.environment() + "' is not defined: every capsule will be rejected"
                    + " ENVIRONMENT_MISMATCH");
        }
        Optional<Policy.Principal> me = p.principal(gateway.id());
        PublicKeyHandle mine = gateway.key().publicKey();
        if (me.isEmpty()) {
            out.add("gateway principal '" + gateway.id() + "' is not defined: its rejection evidence will not verify");
        } else {
            if (!me.get().hasRole("gateway")) {
                out.add("principal '" + gateway.id() + "' does not hold the 'gateway' role");
            }
            if (!p.keysOf(gateway.id()).contains(mine)) {
                out.add("the configured gateway key (keyid " + mine.keyid() + ") is not a key of '" + gateway.id() + "'");
            }
        }
        return out;
    }

    private static VerdictRecord verdict(Inbound in, UUID id, String kind, String verdict, ReasonCode reason,
                                         String detail, Instant now) {
        VerdictRecord r = new VerdictRecord();
        r.id = id;
        r.kind = kind;
        r.recordTopic = in.topic();
        r.recordPartition = in.partition();
        r.recordOffset = in.offset();
        r.recordKey = in.key();
        r.inboundDigest = in.digest();
        r.verdict = verdict;
        r.reason = reason == null ? null : reason.name();
        r.detail = detail;
        r.decidedAt = now;
        return r;
    }

    private static InboxEntry inbox(Inbound in, UUID verdictId, Instant now) {
        InboxEntry e = new InboxEntry();
        e.delivery = in.delivery();
        e.recordTopic = in.topic();
        e.recordPartition = in.partition();
        e.recordOffset = in.offset();
        e.inboundDigest = in.digest();
        e.verdictId = verdictId;
        e.processedAt = now;
        return e;
    }

    private static OutboxMessage outbox(String topic, String key, String type, byte[] value, UUID verdictId,
                                        Instant now) {
        OutboxMessage m = new OutboxMessage();
        m.topic = topic;
        m.recordKey = key;
        m.ceType = type;
        m.ceId = UUID.randomUUID().toString();
        m.ceTime = now;
        m.value = value;
        m.verdictId = verdictId;
        m.createdAt = now;
        return m;
    }
}
