package dev.airlock.approval.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.domain.CapsuleStatus;
import dev.airlock.approval.domain.Proposal;
import dev.airlock.approval.repository.AuditRepository;
import dev.airlock.approval.repository.CapsuleRepository;
import dev.airlock.approval.repository.CapsuleRow;
import dev.airlock.approval.repository.Db;
import dev.airlock.approval.repository.DecisionRepository;
import dev.airlock.approval.repository.DecisionRow;
import dev.airlock.approval.repository.OutboxRepository;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Read side: the queue, one capsule's review, the audit trail — each filtered by what the viewer may see. */
@ApplicationScoped
public class QueueService {

    public record TierCount(String tier, String authorize, int minApprovals, List<String> requiredRoles, long pending,
                            long parked, long rejected, long authorized, long emitted) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String capsuleId, String tier, String environment, String status, String summary,
                          String proposer, String capsuleDigest, int approvals, int required, Instant receivedAt) {
    }

    public record Queue(List<TierCount> tiers, List<Summary> capsules) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DecisionView(String approver, String role, String decision, String basis, String ticket,
                               Instant decidedAt, Instant receivedAt, String via) {
    }

    /** One line of the rendered diff; {@code kind} is add, del, hunk, file or ctx. */
    public record DiffLine(String kind, String text) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Review(Summary summary, String reason, String detail, Capsule capsule,
                         Proposal.Reachability reachability, List<String> tierReasoning, String findingId,
                         List<DecisionView> decisions, List<String> eligibleRoles, List<String> approverKeyids,
                         List<String> requiredRoles, boolean open, @JsonIgnore List<DiffLine> diff) {
    }

    private final Db db;
    private final CapsuleRepository capsules;
    private final DecisionRepository decisions;
    private final AuditRepository audit;
    private final PolicyService policies;
    private final Access access;

    @Inject
    public QueueService(Db db, CapsuleRepository capsules, DecisionRepository decisions, OutboxRepository outbox,
                        AuditRepository audit, PolicyService policies, Access access) {
        this.db = db;
        this.capsules = capsules;
        this.decisions = decisions;
        this.audit = audit;
        this.policies = policies;
        this.access = access;
    }

    public Queue queue(Access.Viewer viewer, CapsuleStatus status) {
        Optional<TrustedPolicy> policy = policies.current();
        return db.tx(c -> {
            Map<String, Map<CapsuleStatus, Long>> counts = capsules.counts(c);
            List<TierCount> tiers = new ArrayList<>();
            if (policy.isPresent()) {
                for (Map.Entry<String, Policy.Tier> e : new TreeMap<>(policy.get().policy().tiers()).entrySet()) {
                    if (!access.canSee(viewer, e.getKey())) {
                        continue;
                    }
                    Map<CapsuleStatus, Long> m = counts.getOrDefault(e.getKey(), Map.of());
                    Policy.Tier t = e.getValue();
                    tiers.add(new TierCount(e.getKey(), t.authorize(), t.minApprovalsOrZero(), t.requiredRolesOrEmpty(),
                            m.getOrDefault(CapsuleStatus.PENDING, 0L), m.getOrDefault(CapsuleStatus.PARKED, 0L),
                            m.getOrDefault(CapsuleStatus.REJECTED, 0L), m.getOrDefault(CapsuleStatus.AUTHORIZED, 0L),
                            m.getOrDefault(CapsuleStatus.EMITTED, 0L)));
                }
            }
            List<CapsuleRow> visible = capsules.list(c, status, 500).stream()
                    .filter(r -> access.canSee(viewer, r.tier())).toList();
            Map<String, List<DecisionRow>> ds = decisions.forCapsules(c,
                    visible.stream().map(CapsuleRow::capsuleId).toList());
            List<Summary> list = new ArrayList<>();
            for (CapsuleRow r : visible) {
                list.add(summary(r, ds.getOrDefault(r.capsuleId(), List.of()), policy));
            }
            return new Queue(tiers, list);
        });
    }

    /** The review of one capsule, or empty when it does not exist or the viewer may not see it. */
    public Optional<Review> review(Access.Viewer viewer, String capsuleId) {
        Optional<TrustedPolicy> policy = policies.current();
        return db.tx(c -> {
            Optional<CapsuleRow> row = capsules.find(c, capsuleId);
            if (row.isEmpty() || !access.canSee(viewer, row.get().tier())) {
                return Optional.empty();
            }
            CapsuleRow r = row.get();
            List<DecisionRow> ds = decisions.forCapsule(c, capsuleId);
            Capsule capsule = read(DecisionService.parseStored(r.capsuleEnvelope()).payloadBytes());
            Proposal p = proposal(r.proposal());
            List<DecisionView> views = ds.stream().map(d -> new DecisionView(d.approver(), d.role(), d.decision(),
                    d.basis(), d.ticket(), d.decidedAt(), d.receivedAt(), d.receivedVia())).toList();
            List<String> keyids = policy.map(tp -> tp.keysOf(viewer.name()).stream().map(k -> k.keyid()).toList())
                    .orElse(List.of());
            List<String> required = policy.map(tp -> tp.policy().tiers().get(r.tier()))
                    .map(Policy.Tier::requiredRolesOrEmpty).orElse(List.of());
            return Optional.of(new Review(summary(r, ds, policy), r.reason(), r.detail(), capsule,
                    p == null ? null : p.reachability(), p == null ? List.of() : p.tierReasoning(),
                    p == null ? null : p.findingId(), views, access.eligibleRoles(viewer, r.tier()), keyids, required,
                    r.status() == CapsuleStatus.PENDING, diff(capsule.change().patch())));
        });
    }

    /** The stored capsule envelope or signed capsule bytes, when the viewer may see the capsule. */
    public Optional<CapsuleRow> row(Access.Viewer viewer, String capsuleId) {
        return db.tx(c -> capsules.find(c, capsuleId)).filter(r -> access.canSee(viewer, r.tier()));
    }

    public List<AuditEvent> audit(Access.Viewer viewer, String capsuleId, AuditKind kind, long after, int limit) {
        return db.tx(c -> {
            List<AuditEvent> out = new ArrayList<>();
            long cursor = after;
            // Filtering by visibility after the query: page until enough visible rows or the end of the trail.
            while (out.size() < limit) {
                List<AuditEvent> page = audit.query(c, capsuleId, kind, cursor, limit);
                if (page.isEmpty()) {
                    break;
                }
                for (AuditEvent e : page) {
                    if (out.size() < limit && access.canSee(viewer, e.tier())) {
                        out.add(e);
                    }
                }
                cursor = page.get(page.size() - 1).seq();
            }
            return out;
        });
    }

    private Summary summary(CapsuleRow r, List<DecisionRow> ds, Optional<TrustedPolicy> policy) {
        int approvals = policy.map(p -> Counting.approvals(DecisionService.approvals(ds, List.of()), p, r.tier()))
                .orElse(0);
        int required = policy.map(p -> Counting.required(p, r.tier())).orElse(0);
        return new Summary(r.capsuleId(), r.tier(), r.environment(), r.status().db(), r.summary(), r.proposer(),
                r.capsuleDigest(), approvals, required, r.receivedAt());
    }

    static List<DiffLine> diff(String patch) {
        List<DiffLine> out = new ArrayList<>();
        for (String line : patch.split("\n", -1)) {
            String kind;
            if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ")) {
                kind = "file";
            } else if (line.startsWith("@@")) {
                kind = "hunk";
            } else if (line.startsWith("+")) {
                kind = "add";
            } else if (line.startsWith("-")) {
                kind = "del";
            } else {
                kind = "ctx";
            }
            out.add(new DiffLine(kind, line));
        }
        if (!out.isEmpty() && out.get(out.size() - 1).text().isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static Capsule read(byte[] payload) {
        try {
            return StrictJson.read(payload, Capsule.class, StrictJson.SIGNED);
        } catch (VerificationException e) {
            throw new IllegalStateException("a stored capsule no longer parses: " + e.reason());
        }
    }

    private static Proposal proposal(byte[] bytes) {
        try {
            return Proposal.parse(bytes);
        } catch (VerificationException e) {
            return null;
        }
    }
}
