package dev.airlock.approval.service;

import dev.airlock.approval.config.ApprovalConfig;
import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.repository.AuditRepository;
import dev.airlock.approval.repository.Db;
import dev.airlock.approval.repository.PolicyRepository;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The policy in force for this service (SERVICE-CONTRACTS: {@code airlock.approval.initial-policy}, then rotations from
 * {@code airlock.policy.signed.v1}), verified by capsule-core's {@link PolicyTrust} exactly as the gateway does. The
 * history is kept in PostgreSQL and replayed link by link at start, so a restart cannot be talked into an older policy.
 */
@ApplicationScoped
public class PolicyService {
    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    private final Db db;
    private final PolicyRepository repository;
    private final AuditRepository audit;
    private final ApprovalConfig config;
    private final Clock clock;
    private final PolicyTrust trust;
    private InMemoryPolicyStore store;

    @Inject
    public PolicyService(Db db, PolicyRepository repository, AuditRepository audit, ApprovalConfig config, Clock clock) {
        this.db = db;
        this.repository = repository;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
        this.trust = new PolicyTrust(clock);
    }

    /** The policy in force, if one was ever installed. Loads the stored history on first use. */
    public synchronized Optional<TrustedPolicy> current() {
        ensureLoaded();
        return store.current();
    }

    /**
     * Offers a policy envelope (from the topic or the initial-policy file). Installs and audits it when it is a valid
     * successor; returns quietly when it is the policy in force.
     *
     * @throws VerificationException MALFORMED, TOO_LARGE, POLICY_INVALID, POLICY_EXPIRED or POLICY_ROLLBACK (audited)
     */
    public synchronized PolicyTrust.Accepted offer(byte[] envelope, String via) throws VerificationException {
        ensureLoaded();
        try {
            PolicyTrust.Accepted a = trust.accept(envelope, store.current(), store);
            if (a.changed()) {
                TrustedPolicy p = a.policy();
                db.tx(c -> {
                    repository.insert(c, p.version(), p.digest(), envelope, clock.instant());
                    audit.append(c, AuditEvent.of(AuditKind.POLICY_INSTALLED).via(via).subject(p.digest())
                            .detail("policy version " + p.version()).at(clock.instant()));
                    return null;
                });
                store.install(p);
                LOG.infof("Policy version %d (%s) installed from %s", p.version(), p.digest(), via);
            }
            return a;
        } catch (VerificationException e) {
            db.tx(c -> {
                audit.append(c, AuditEvent.of(AuditKind.POLICY_REFUSED).via(via).reason(e.reason().name())
                        .detail(e.detail()).at(clock.instant()));
                return null;
            });
            throw e;
        }
    }

    private void ensureLoaded() {
        if (store != null) {
            return;
        }
        InMemoryPolicyStore loaded = new InMemoryPolicyStore();
        List<byte[]> history = db.tx(repository::history);
        for (byte[] env : history) {
            try {
                // Stored links were verified when they arrived; intermediate versions may have expired since.
                PolicyTrust.Accepted a = trust.accept(env, loaded.current(), loaded, false);
                if (a.changed()) {
                    loaded.install(a.policy());
                }
            } catch (VerificationException e) {
                // Fail closed: a history that no longer verifies (edited rows) leaves the service without a policy.
                LOG.errorf("Stored policy history does not verify (%s: %s); no policy is in force", e.reason(),
                        e.detail());
                store = new InMemoryPolicyStore();
                return;
            }
        }
        store = loaded;
        if (config.initialPolicy().isPresent()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(config.initialPolicy().get());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read airlock.approval.initial-policy", e);
            }
            try {
                offer(bytes, "initial-policy");
            } catch (VerificationException e) {
                LOG.warnf("airlock.approval.initial-policy not installed: %s %s", e.reason(), e.detail());
            }
        }
        store.current().ifPresentOrElse(p -> LOG.infof("Policy in force: version %d (%s)", p.version(), p.digest()),
                () -> LOG.warn("No policy in force: every proposal and decision is refused with POLICY_INVALID"));
    }
}
