package dev.airlock.planner.service;

import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.repository.PolicyEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The policy in force for the planner: what fleets may propose comes from it (ARCHITECTURE §1 invariant 3). Trust on
 * install from {@code airlock.planner.initial-policy} when nothing is installed yet, then rotations from
 * {@code airlock.policy.signed.v1} verified by {@link PolicyTrust} (TUF-style, one version at a time). The history is
 * persisted and replayed link by link at start-up, so a restart trusts exactly what was trusted before.
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    @Inject
    PlannerConfig config;
    @Inject
    Clock clock;

    private final InMemoryPolicyStore history = new InMemoryPolicyStore();
    private volatile boolean loaded;

    public Optional<TrustedPolicy> current() {
        return history.current();
    }

    /** Replays the stored history, or installs the initial policy. Idempotent. */
    public Uni<Void> load() {
        if (loaded) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> PolicyEntity.<PolicyEntity>list("order by version").chain(rows -> {
            synchronized (this) {
                if (loaded) {
                    return Uni.createFrom().voidItem();
                }
                PolicyTrust trust = new PolicyTrust(clock);
                for (PolicyEntity row : rows) {
                    try {
                        // Intermediate versions may have expired since they were installed: expiry is checked for
                        // the one in force only, when it is used.
                        PolicyTrust.Accepted a = trust.accept(row.envelope, history.current(), history, false);
                        if (a.changed()) {
                            history.install(a.policy());
                        }
                    } catch (VerificationException e) {
                        throw new IllegalStateException("stored policy version " + row.version
                                + " no longer verifies: " + e.getMessage());
                    }
                }
                if (!rows.isEmpty() || config.initialPolicy().isEmpty()) {
                    loaded = true;
                    current().ifPresent(p -> LOG.infof("Policy in force: version %d (%s)", p.version(), p.digest()));
                    return Uni.createFrom().voidItem();
                }
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(config.initialPolicy().get());
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read airlock.planner.initial-policy "
                            + config.initialPolicy().get() + ": " + e.getMessage());
                }
                PolicyTrust.Accepted a;
                try {
                    a = trust.accept(bytes, Optional.empty(), history);
                } catch (VerificationException e) {
                    throw new IllegalStateException("airlock.planner.initial-policy is refused: " + e.getMessage());
                }
                history.install(a.policy());
                loaded = true;
                LOG.infof("Policy version %d trusted on install from %s", a.policy().version(),
                        config.initialPolicy().get());
                return persist(a.policy(), bytes);
            }
        }));
    }

    /**
     * Offers a policy envelope from {@code airlock.policy.signed.v1}. Returns true when it changed the policy in
     * force; the same policy again changes nothing.
     */
    public Uni<Boolean> offer(byte[] envelope) {
        return load().chain(() -> {
            PolicyTrust.Accepted a;
            synchronized (this) {
                try {
                    a = new PolicyTrust(clock).accept(envelope, history.current(), history);
                } catch (VerificationException e) {
                    return Uni.createFrom().failure(e);
                }
            }
            if (!a.changed()) {
                return Uni.createFrom().item(Boolean.FALSE);
            }
            return Panache.withTransaction(() -> persist(a.policy(), envelope)).invoke(() -> {
                synchronized (this) {
                    history.install(a.policy());
                }
                LOG.infof("Policy rotated to version %d (%s)", a.policy().version(), a.policy().digest());
            }).replaceWith(Boolean.TRUE);
        });
    }

    public List<TrustedPolicy> history() {
        return history.history();
    }

    private Uni<Void> persist(TrustedPolicy p, byte[] envelope) {
        PolicyEntity e = new PolicyEntity();
        e.version = p.version();
        e.digest = p.digest();
        e.envelope = envelope;
        e.installedAt = clock.instant();
        return e.persist().replaceWithVoid();
    }
}
