package dev.airlock.approval.service;

import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.domain.CapsuleStatus;
import dev.airlock.approval.domain.DecisionOutcome;
import dev.airlock.approval.domain.Via;
import dev.airlock.approval.repository.AuditRepository;
import dev.airlock.approval.repository.CapsuleRepository;
import dev.airlock.approval.repository.CapsuleRow;
import dev.airlock.approval.repository.Db;
import dev.airlock.approval.repository.DecisionRepository;
import dev.airlock.approval.repository.DecisionRow;
import dev.airlock.approval.repository.OutboxRepository;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks every decision on arrival with the capsule-core engine and records it (ARCHITECTURE §5, §8).
 *
 * <p>Order, which is the security argument: (1) strict envelope parse; (2) the approval's signature over its exact
 * bytes, then its payload, then that its approver owns the key and holds the role ({@link
 * VerificationEngine#checkApproval}); (3) over HTTP, that the approver is the authenticated user; (4) under the
 * capsule's row lock, the engine on the stored approvals plus this one. A verdict of THRESHOLD_NOT_MET or admitted
 * accepts the decision, as does REJECTED_BY_APPROVER caused by this decision being a rejection; any other verdict is
 * a refusal with that code, and changes nothing but the audit trail. Admission writes the signed capsule (§3.4) to
 * the outbox in the same transaction.
 */
@ApplicationScoped
public class DecisionService {

    private final Db db;
    private final CapsuleRepository capsules;
    private final DecisionRepository decisions;
    private final OutboxRepository outbox;
    private final AuditRepository audit;
    private final PolicyService policies;
    private final VerificationEngine engine;
    private final OutboxRelay relay;
    private final Clock clock;

    @Inject
    public DecisionService(Db db, CapsuleRepository capsules, DecisionRepository decisions, OutboxRepository outbox,
                           AuditRepository audit, PolicyService policies, VerificationEngine engine, OutboxRelay relay,
                           Clock clock) {
        this.db = db;
        this.capsules = capsules;
        this.decisions = decisions;
        this.outbox = outbox;
        this.audit = audit;
        this.policies = policies;
        this.engine = engine;
        this.relay = relay;
        this.clock = clock;
    }

    /** A decision whose signature and approver were established, ready to be decided under the capsule's lock. */
    public record Checked(Envelope envelope, byte[] raw, Approval approval, String sha256) {
    }

    /**
     * Decides one approval envelope as it arrived.
     *
     * @param user          the authenticated user for {@link Via#API}/{@link Via#WEB} (must be the approver), else null
     * @param pathCapsuleId the capsule the decision was posted to, or null (Kafka)
     * @param from          who delivered it, for the record (user name, or topic-partition@offset)
     */
    public DecisionOutcome submit(byte[] raw, Via via, String user, String pathCapsuleId, String from) {
        Envelope env;
        try {
            env = Envelope.parse(raw, StrictJson.SIGNED);
            env.requirePayloadType(PayloadTypes.APPROVAL);
        } catch (VerificationException e) {
            return refuse(e.reason().name(), e.detail(), via, from, null, null, null, pathCapsuleId, null, 400);
        }
        String sha = Hex.digest(env.toJson());
        String payloadDigest = env.payloadDigest();
        Optional<TrustedPolicy> current = policies.current();
        if (current.isEmpty()) {
            return refuse(ReasonCode.POLICY_INVALID.name(), "no policy is installed", via, from, null, pathCapsuleId,
                    null, pathCapsuleId, payloadDigest, 503);
        }
        TrustedPolicy policy = current.get();
        List<String> ignored = new ArrayList<>();
        VerificationEngine.CheckedApproval ca;
        try {
            ca = engine.checkApproval(0, env, policy, StrictJson.SIGNED, ignored);
        } catch (VerificationException e) {
            // ROLE_MISSING (or MALFORMED payload) — the signature verified, so the payload may be read for the record.
            Approval a = readQuietly(env);
            return refuse(e.reason().name(), e.detail(), via, from, a == null ? null : a.approver(),
                    a == null ? pathCapsuleId : a.capsuleId(), null, pathCapsuleId, payloadDigest,
                    e.reason() == ReasonCode.MALFORMED ? 400 : 422);
        }
        if (ca == null) {
            String why = String.join("; ", ignored);
            ReasonCode code = why.contains("signature does not verify") ? ReasonCode.SIGNATURE_INVALID
                    : ReasonCode.UNKNOWN_KEY;
            return refuse(code.name(), why.replace("approval #0", "the approval"), via, from, null, pathCapsuleId,
                    null, pathCapsuleId, payloadDigest, 422);
        }
        Approval a = ca.approval();
        if (via.authenticated() && !a.approver().equals(user)) {
            return refuse(DecisionOutcome.NOT_YOUR_APPROVAL, "the approval is signed by '" + a.approver()
                            + "', but the authenticated user is '" + user + "'", via, from, user, a.capsuleId(), null,
                    pathCapsuleId, payloadDigest, 403);
        }
        if (pathCapsuleId != null && !pathCapsuleId.equals(a.capsuleId())) {
            return refuse(ReasonCode.DIGEST_MISMATCH.name(), "the approval is for capsule " + a.capsuleId()
                            + ", it was posted to capsule " + pathCapsuleId, via, from, a.approver(), pathCapsuleId,
                    null, pathCapsuleId, payloadDigest, 422);
        }
        Checked checked = new Checked(env, raw, a, sha);
        DecisionOutcome outcome = db.tx(c -> {
            Optional<CapsuleRow> row = capsules.lock(c, a.capsuleId());
            if (row.isEmpty()) {
                audit.append(c, AuditEvent.of(AuditKind.DECISION_REFUSED).actor(a.approver()).via(via)
                        .capsule(a.capsuleId(), a.capsuleDigest(), null).reason(DecisionOutcome.UNKNOWN_CAPSULE)
                        .detail("no capsule " + a.capsuleId() + " is queued here").subject(payloadDigest)
                        .at(clock.instant()));
                return DecisionOutcome.refused(DecisionOutcome.UNKNOWN_CAPSULE,
                        "no capsule " + a.capsuleId() + " is queued here", a.capsuleId(), null, 404);
            }
            return decide(c, row.get(), checked, via, from, policy);
        });
        if (CapsuleStatus.AUTHORIZED.db().equals(outcome.status()) && !outcome.isRefused()) {
            relay.kick();
        }
        return outcome;
    }

    /**
     * Decides {@code d} for {@code row}, which the caller holds locked in {@code c}. Writes the decision, the status
     * change, the outbox row and the audit rows, or only an audit row for a refusal.
     */
    DecisionOutcome decide(Connection c, CapsuleRow row, Checked d, Via via, String from, TrustedPolicy policy)
            throws SQLException {
        Approval a = d.approval();
        String payloadDigest = d.envelope().payloadDigest();
        Instant now = clock.instant();
        Optional<DecisionRow> dup = decisions.findBySha256(c, d.sha256());
        List<DecisionRow> stored = decisions.forCapsule(c, row.capsuleId());
        if (dup.isPresent()) {
            audit.append(c, event(AuditKind.DECISION_DUPLICATE, a, via, row, payloadDigest)
                    .detail("the same signed decision was received before (" + dup.get().receivedVia() + ", "
                            + StrictJson.formatInstant(dup.get().receivedAt()) + "); nothing changed").at(now));
            return outcome(DecisionOutcome.DUPLICATE, null, "already recorded; nothing changed", row, row.status(),
                    approvals(stored, List.of()), policy, 200);
        }
        if (row.status() != CapsuleStatus.PENDING) {
            String code = switch (row.status()) {
                case REJECTED -> ReasonCode.REJECTED_BY_APPROVER.name();
                case PARKED -> ReasonCode.TIER_NOT_AUTHORIZABLE.name();
                default -> DecisionOutcome.CAPSULE_CLOSED;
            };
            String detail = "capsule " + row.capsuleId() + " is " + row.status().db()
                    + (row.detail() == null ? "" : ": " + row.detail());
            audit.append(c, event(AuditKind.DECISION_REFUSED, a, via, row, payloadDigest).reason(code).detail(detail)
                    .at(now));
            return outcome(DecisionOutcome.REFUSED, code, detail, row, row.status(), approvals(stored, List.of()),
                    policy, 409);
        }
        List<Envelope> envelopes = new ArrayList<>();
        for (DecisionRow s : stored) {
            envelopes.add(parseStored(s.envelope()));
        }
        envelopes.add(d.envelope());
        Envelope capsuleEnvelope = parseStored(row.capsuleEnvelope());
        byte[] signed = SignedCapsule.of(capsuleEnvelope, envelopes).toJson();
        Verdict v = engine.verify(signed, row.environment(), policy, new InMemoryLedger());
        boolean rejection = !a.approves() && v.reason() == ReasonCode.REJECTED_BY_APPROVER;
        boolean accepted = v.isAdmitted() || v.reason() == ReasonCode.THRESHOLD_NOT_MET || rejection;
        if (!accepted) {
            audit.append(c, event(AuditKind.DECISION_REFUSED, a, via, row, payloadDigest).reason(v.reason().name())
                    .detail(v.detail()).at(now));
            return outcome(DecisionOutcome.REFUSED, v.reason().name(), v.detail(), row, row.status(),
                    approvals(stored, List.of()), policy, 422);
        }
        decisions.insert(c, new DecisionRow(null, row.capsuleId(), d.sha256(), d.raw(), a.approver(), a.role(),
                a.decision(), a.basis(), a.ticket(), a.decidedAt(), now, via.db(), from));
        audit.append(c, event(AuditKind.DECISION_ACCEPTED, a, via, row, payloadDigest)
                .detail(a.decision() + " as " + a.role() + (a.ticket() == null ? "" : ", ticket " + a.ticket()))
                .at(now));
        CapsuleStatus status;
        if (v.isAdmitted()) {
            status = CapsuleStatus.AUTHORIZED;
            outbox.insert(c, row.capsuleId(), signed, now);
            capsules.setStatus(c, row.capsuleId(), status, null, v.detail(), now);
            audit.append(c, AuditEvent.of(AuditKind.CAPSULE_AUTHORIZED).actor(a.approver()).via(via)
                    .capsule(row.capsuleId(), row.capsuleDigest(), row.tier()).detail(v.detail())
                    .subject(Hex.digest(signed)).at(now));
        } else if (rejection) {
            status = CapsuleStatus.REJECTED;
            capsules.setStatus(c, row.capsuleId(), status, v.reason().name(), v.detail(), now);
            audit.append(c, AuditEvent.of(AuditKind.CAPSULE_REJECTED).actor(a.approver()).via(via)
                    .capsule(row.capsuleId(), row.capsuleDigest(), row.tier()).reason(v.reason().name())
                    .detail(v.detail()).at(now));
        } else {
            status = CapsuleStatus.PENDING;
            capsules.setStatus(c, row.capsuleId(), status, v.reason().name(), v.detail(), now);
        }
        return outcome(DecisionOutcome.ACCEPTED, v.isAdmitted() ? null : v.reason().name(), v.detail(), row, status,
                approvals(stored, List.of(a)), policy, 200);
    }

    private static AuditEvent.Builder event(AuditKind kind, Approval a, Via via, CapsuleRow row, String subject) {
        return AuditEvent.of(kind).actor(a.approver()).via(via).capsule(row.capsuleId(), row.capsuleDigest(), row.tier())
                .subject(subject);
    }

    private DecisionOutcome outcome(String outcome, String reason, String detail, CapsuleRow row, CapsuleStatus status,
                                    List<Counting.Vote> approvals, TrustedPolicy policy, int http) {
        return new DecisionOutcome(outcome, reason, detail, row.capsuleId(), status.db(),
                Counting.approvals(approvals, policy, row.tier()), Counting.required(policy, row.tier()), http);
    }

    private DecisionOutcome refuse(String reason, String detail, Via via, String from, String actor, String capsuleId,
                                   String tier, String pathCapsuleId, String subject, int http) {
        db.tx(c -> {
            audit.append(c, AuditEvent.of(AuditKind.DECISION_REFUSED).actor(actor != null ? actor : from).via(via)
                    .capsule(capsuleId, null, tier != null ? tier : tierOf(c, capsuleId)).reason(reason).detail(detail)
                    .subject(subject).at(clock.instant()));
            return null;
        });
        return DecisionOutcome.refused(reason, detail, capsuleId != null ? capsuleId : pathCapsuleId, null, http);
    }

    private String tierOf(Connection c, String capsuleId) throws SQLException {
        return capsuleId == null ? null : capsules.find(c, capsuleId).map(CapsuleRow::tier).orElse(null);
    }

    /** Approvals of stored decisions (which verified when they arrived) plus {@code extra}. */
    static List<Counting.Vote> approvals(List<DecisionRow> stored, List<Approval> extra) {
        List<Counting.Vote> out = new ArrayList<>();
        for (DecisionRow s : stored) {
            out.add(new Counting.Vote(s.approver(), s.role(), Approval.APPROVE.equals(s.decision()),
                    Approval.POLICY_AUTO.equals(s.basis())));
        }
        for (Approval a : extra) {
            out.add(new Counting.Vote(a.approver(), a.role(), a.approves(), a.auto()));
        }
        return out;
    }

    static Envelope parseStored(byte[] bytes) {
        try {
            return Envelope.parse(bytes, StrictJson.SIGNED);
        } catch (VerificationException e) {
            throw new IllegalStateException("a stored envelope no longer parses: " + e.reason());
        }
    }

    private static Approval readQuietly(Envelope env) {
        try {
            return StrictJson.read(env.payloadBytes(), Approval.class, StrictJson.SIGNED);
        } catch (VerificationException e) {
            return null;
        }
    }
}
