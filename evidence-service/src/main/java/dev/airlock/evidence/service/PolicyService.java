package dev.airlock.evidence.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.config.EvidenceConfig;
import dev.airlock.evidence.repository.PolicyRow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The policy this service follows on its own (SERVICE-CONTRACTS "Who verifies what"): trust on install from
 * {@code airlock.evidence.initial-policy}, then rotations from {@code airlock.inbound.v1}, each verified against its
 * predecessor by the same {@link PolicyTrust} the gateway runs. The history lives in PostgreSQL and is re-verified
 * link by link at start, so an edited row is refused instead of trusted.
 */
@ApplicationScoped
public class PolicyService {
    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    private final EvidenceConfig config;
    private final Clock clock;
    private final QuarantineService quarantine;
    private volatile InMemoryPolicyStore store = new InMemoryPolicyStore();

    @Inject
    public PolicyService(EvidenceConfig config, Clock clock, QuarantineService quarantine) {
        this.config = config;
        this.clock = clock;
        this.quarantine = quarantine;
    }

    public Optional<TrustedPolicy> current() {
        return store.current();
    }

    public List<TrustedPolicy> history() {
        return store.history();
    }

    /** Loads and re-verifies the stored history; installs the initial policy on an empty history. */
    public Uni<Void> load() {
        return Panache.withSession(() -> PolicyRow.<PolicyRow>listAll(Sort.by("version"))).chain(rows -> {
            InMemoryPolicyStore replay = new InMemoryPolicyStore();
            PolicyTrust trust = new PolicyTrust(clock);
            try {
                for (PolicyRow r : rows) {
                    replay.install(trust.accept(r.envelope, replay.current(), replay, false).policy());
                }
            } catch (VerificationException e) {
                return Uni.createFrom().failure(new IllegalStateException(
                        "the stored policy history does not verify: " + e.getMessage()));
            }
            store = replay;
            if (replay.current().isPresent() || config.initialPolicy().isEmpty()) {
                if (replay.current().isEmpty()) {
                    LOG.warn("No policy installed and no airlock.evidence.initial-policy: every bundle is quarantined "
                            + "until a policy arrives on airlock.inbound.v1");
                }
                return Uni.createFrom().voidItem();
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(Path.of(config.initialPolicy().get()));
            } catch (IOException e) {
                return Uni.createFrom().failure(new UncheckedIOException(
                        "cannot read airlock.evidence.initial-policy=" + config.initialPolicy().get(), e));
            }
            return offer(bytes, "initial-policy").invoke(r -> {
                if (!r.installed()) {
                    throw new IllegalStateException("airlock.evidence.initial-policy is not acceptable: " + r.detail());
                }
            }).replaceWithVoid();
        });
    }

    /** What happened to an offered policy. */
    public record Offer(boolean installed, boolean unchanged, String detail) {
    }

    /**
     * Offers a policy envelope (from the inbound topic or the initial file). Accepted rotations are stored before they
     * take effect; refused ones are quarantined with their reason.
     */
    public Uni<Offer> offer(byte[] envelope, String source) {
        PolicyTrust.Accepted accepted;
        try {
            accepted = new PolicyTrust(clock).accept(envelope, store.current(), store);
        } catch (VerificationException e) {
            LOG.warnf("Policy from %s refused: %s %s", source, e.reason(), e.detail());
            return quarantine.record("policy", envelope, e.reason().name(), e.detail(), source)
                    .replaceWith(new Offer(false, false, e.reason() + ": " + e.detail()));
        }
        if (!accepted.changed()) {
            return Uni.createFrom().item(new Offer(false, true, "policy version " + accepted.policy().version()
                    + " is already in force"));
        }
        TrustedPolicy p = accepted.policy();
        PolicyRow row = new PolicyRow();
        row.version = p.version();
        row.digest = p.digest();
        row.envelope = envelope;
        row.installedAt = clock.instant();
        return Panache.withTransaction(row::persist).invoke(() -> {
            store.install(p);
            LOG.infof("Policy version %d installed (%s, from %s)", p.version(), p.digest(), source);
        }).replaceWith(new Offer(true, false, "policy version " + p.version() + " installed"));
    }

    static String digest(byte[] bytes) {
        return Hex.digest(bytes);
    }
}
