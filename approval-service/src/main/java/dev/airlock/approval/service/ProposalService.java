package dev.airlock.approval.service;

import dev.airlock.approval.config.ApprovalConfig;
import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.domain.CapsuleStatus;
import dev.airlock.approval.domain.DecisionOutcome;
import dev.airlock.approval.domain.Proposal;
import dev.airlock.approval.domain.Via;
import dev.airlock.approval.repository.AuditRepository;
import dev.airlock.approval.repository.CapsuleRepository;
import dev.airlock.approval.repository.CapsuleRow;
import dev.airlock.approval.repository.Db;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Queues proposals (SERVICE-CONTRACTS {@code airlock.proposal/v1}) after checking the capsule with the engine: a good
 * capsule with no approvals yet is exactly THRESHOLD_NOT_MET, so any earlier code means the proposal itself is bad and
 * it is refused, audited and not queued. Tier {@code never} (T0) is parked with its evidence. The engine runs with an
 * empty ledger: REPLAY is the gateway's to decide, against its own admission ledger.
 *
 * <p>Auto-approval: only where the policy's tier grants {@code autoApprove} for the capsule's environment, only with a
 * configured {@code airlock.approval.auto-key}, and only when the tier requires no ticket (automation cannot invent
 * one). Each skipped case is written to the audit trail with why.
 */
@ApplicationScoped
public class ProposalService {
    private static final Logger LOG = Logger.getLogger(ProposalService.class);

    private final Db db;
    private final CapsuleRepository capsules;
    private final AuditRepository audit;
    private final PolicyService policies;
    private final DecisionService decisions;
    private final VerificationEngine engine;
    private final OutboxRelay relay;
    private final ApprovalConfig config;
    private final Clock clock;
    private final Optional<SigningKey> autoKey;

    @Inject
    public ProposalService(Db db, CapsuleRepository capsules, AuditRepository audit, PolicyService policies,
                           DecisionService decisions, VerificationEngine engine, OutboxRelay relay,
                           ApprovalConfig config, Clock clock) {
        this.db = db;
        this.capsules = capsules;
        this.audit = audit;
        this.policies = policies;
        this.decisions = decisions;
        this.engine = engine;
        this.relay = relay;
        this.config = config;
        this.clock = clock;
        this.autoKey = config.autoKey().map(ProposalService::readKey);
    }

    private static SigningKey readKey(java.nio.file.Path path) {
        try {
            return SigningKey.fromPem(Files.readString(path, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read airlock.approval.auto-key " + path, e);
        } catch (KeyFormatException e) {
            // The message names the format problem, never key material.
            throw new IllegalStateException("airlock.approval.auto-key " + path + " is not a PKCS#8 key: "
                    + e.getMessage());
        }
    }

    /**
     * @param from who delivered it, for the record (topic-partition@offset)
     * @throws VerificationException MALFORMED or TOO_LARGE for a value that is not a proposal at all (the caller
     *                               dead-letters it); the refusal is already audited
     */
    public ProposalOutcome receive(byte[] value, String from) throws VerificationException {
        Proposal p;
        try {
            p = Proposal.parse(value);
        } catch (VerificationException e) {
            refuse(null, null, null, e.reason(), e.detail(), Hex.digest(value), from);
            throw e;
        }
        String subject = p.capsule().payloadDigest();
        Optional<TrustedPolicy> current = policies.current();
        if (current.isEmpty()) {
            VerificationException e = new VerificationException(ReasonCode.POLICY_INVALID, "no policy is installed");
            refuse(null, subject, p.tier(), e.reason(), e.detail(), subject, from);
            throw e;
        }
        TrustedPolicy policy = current.get();
        byte[] unsigned = SignedCapsule.of(p.capsule(), List.of()).toJson();
        // The environment is read from the capsule only after the engine has verified its proposer signature.
        Verdict v = engine.verify(unsigned, null, policy, new InMemoryLedger());
        if (v.reason() == ReasonCode.ENVIRONMENT_MISMATCH && v.capsule() != null) {
            v = engine.verify(unsigned, v.capsule().environment(), policy, new InMemoryLedger());
        }
        Capsule c = v.capsule();
        CapsuleStatus status;
        if (v.reason() == ReasonCode.THRESHOLD_NOT_MET) {
            status = CapsuleStatus.PENDING;
        } else if (v.reason() == ReasonCode.TIER_NOT_AUTHORIZABLE && c != null && tierNever(policy, c.tier())) {
            status = CapsuleStatus.PARKED;
        } else {
            ReasonCode code = v.isAdmitted() ? ReasonCode.MALFORMED : v.reason();
            refuse(c, subject, c == null ? p.tier() : c.tier(), code, v.detail(), subject, from);
            return new ProposalOutcome(ProposalOutcome.REFUSED, code.name(), v.detail(), v.capsuleId(), null);
        }
        if (!c.tier().equals(p.tier())) {
            String detail = "the proposal says tier " + p.tier() + ", the signed capsule says " + c.tier();
            refuse(c, subject, c.tier(), ReasonCode.MALFORMED, detail, subject, from);
            return new ProposalOutcome(ProposalOutcome.REFUSED, ReasonCode.MALFORMED.name(), detail, c.capsuleId(), null);
        }
        Instant now = clock.instant();
        CapsuleRow row = new CapsuleRow(c.capsuleId(), subject, status, c.tier(), c.environment(), c.proposer(),
                c.policyVersion(), p.capsule().toJson(), value, p.summary(), p.findingId(), v.reason().name(),
                v.detail(), now, now);
        ProposalOutcome outcome = db.tx(conn -> queue(conn, row, c, policy, from));
        if (CapsuleStatus.AUTHORIZED.db().equals(outcome.status())) {
            relay.kick();
        }
        return outcome;
    }

    private ProposalOutcome queue(Connection conn, CapsuleRow row, Capsule c, TrustedPolicy policy, String from)
            throws SQLException {
        Instant now = row.receivedAt();
        if (!capsules.insert(conn, row)) {
            CapsuleRow existing = capsules.find(conn, row.capsuleId()).orElseThrow();
            if (existing.capsuleDigest().equals(row.capsuleDigest())) {
                audit.append(conn, AuditEvent.of(AuditKind.PROPOSAL_DUPLICATE).actor(c.proposer()).via(Via.KAFKA)
                        .capsule(row.capsuleId(), row.capsuleDigest(), row.tier()).subject(row.capsuleDigest())
                        .detail("already queued (" + existing.status().db() + "); nothing changed from " + from).at(now));
                return new ProposalOutcome(ProposalOutcome.DUPLICATE, null, "already queued", row.capsuleId(),
                        existing.status().db());
            }
            String detail = "capsule id " + row.capsuleId() + " is already queued with digest "
                    + existing.capsuleDigest();
            audit.append(conn, AuditEvent.of(AuditKind.PROPOSAL_REFUSED).actor(c.proposer()).via(Via.KAFKA)
                    .capsule(row.capsuleId(), row.capsuleDigest(), row.tier()).reason(ReasonCode.REPLAY.name())
                    .detail(detail).subject(row.capsuleDigest()).at(now));
            return new ProposalOutcome(ProposalOutcome.REFUSED, ReasonCode.REPLAY.name(), detail, row.capsuleId(), null);
        }
        boolean parked = row.status() == CapsuleStatus.PARKED;
        audit.append(conn, AuditEvent.of(parked ? AuditKind.PROPOSAL_PARKED : AuditKind.PROPOSAL_QUEUED)
                .actor(c.proposer()).via(Via.KAFKA).capsule(row.capsuleId(), row.capsuleDigest(), row.tier())
                .reason(row.reason()).detail(parked ? row.detail() : "awaiting approvals from " + from)
                .subject(row.capsuleDigest()).at(now));
        String status = row.status().db();
        if (!parked) {
            DecisionOutcome auto = autoApprove(conn, row, c, policy);
            if (auto != null && !auto.isRefused()) {
                status = auto.status();
            }
        }
        return new ProposalOutcome(ProposalOutcome.QUEUED, null, null, row.capsuleId(), status);
    }

    /** Signs and decides a {@code policy-auto} approval where, and only where, the policy and configuration allow. */
    private DecisionOutcome autoApprove(Connection conn, CapsuleRow row, Capsule c, TrustedPolicy policy)
            throws SQLException {
        Policy.Tier tier = policy.policy().tiers().get(c.tier());
        if (tier == null || !tier.autoApproves(c.environment())) {
            return null; // the ordinary case: people decide
        }
        String skipped = null;
        if (autoKey.isEmpty()) {
            skipped = "tier " + c.tier() + " grants autoApprove in " + c.environment()
                    + ", but no airlock.approval.auto-key is configured: people decide";
        } else if (tier.ticketRequired()) {
            skipped = "tier " + c.tier() + " requires a change ticket, which automation cannot invent: people decide";
        }
        if (skipped != null) {
            audit.append(conn, AuditEvent.of(AuditKind.AUTO_APPROVAL_SKIPPED).actor(config.autoId()).via(Via.AUTO)
                    .capsule(row.capsuleId(), row.capsuleDigest(), row.tier()).detail(skipped).at(row.receivedAt()));
            return null;
        }
        Approval a = new Approval(Approval.SCHEMA, row.capsuleDigest(), c.capsuleId(), config.autoId(),
                VerificationEngine.AUTO_APPROVER_ROLE, Approval.APPROVE, null,
                clock.instant().truncatedTo(ChronoUnit.SECONDS), Approval.POLICY_AUTO);
        Envelope env = Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), autoKey.get());
        VerificationEngine.CheckedApproval ca;
        List<String> ignored = new ArrayList<>();
        try {
            ca = engine.checkApproval(0, env, policy, StrictJson.SIGNED, ignored);
        } catch (VerificationException e) {
            ignored.add(e.reason() + ": " + e.detail());
            ca = null;
        }
        if (ca == null) {
            audit.append(conn, AuditEvent.of(AuditKind.AUTO_APPROVAL_SKIPPED).actor(config.autoId()).via(Via.AUTO)
                    .capsule(row.capsuleId(), row.capsuleDigest(), row.tier())
                    .detail("the configured auto-key does not sign for '" + config.autoId() + "' as auto-approver "
                            + "under policy version " + policy.version() + ": " + String.join("; ", ignored))
                    .at(row.receivedAt()));
            return null;
        }
        byte[] raw = env.toJson();
        DecisionOutcome o = decisions.decide(conn, row, new DecisionService.Checked(env, raw, a, Hex.digest(raw)),
                Via.AUTO, config.autoId(), policy);
        LOG.debugf("Auto-approval of %s: %s %s", row.capsuleId(), o.outcome(), o.status());
        return o;
    }

    private static boolean tierNever(TrustedPolicy policy, String tier) {
        Policy.Tier t = policy.policy().tiers().get(tier);
        return t != null && t.never();
    }

    private void refuse(Capsule c, String capsuleDigest, String tier, ReasonCode reason, String detail, String subject,
                        String from) {
        db.tx(conn -> {
            audit.append(conn, AuditEvent.of(AuditKind.PROPOSAL_REFUSED).actor(c == null ? from : c.proposer())
                    .via(Via.KAFKA).capsule(c == null ? null : c.capsuleId(), c == null ? null : capsuleDigest, tier)
                    .reason(reason.name()).detail(detail).subject(subject).at(clock.instant()));
            return null;
        });
    }
}
