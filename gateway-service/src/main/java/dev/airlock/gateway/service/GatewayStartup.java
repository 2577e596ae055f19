package dev.airlock.gateway.service;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.gateway.config.GatewayConfig;
import dev.airlock.gateway.domain.LineageHead;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.domain.PolicyHistoryEntry;
import dev.airlock.gateway.repository.Db;
import dev.airlock.gateway.repository.GatewayRepository;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Start-up, before the first inbound record is decided: the gateway key is read, the policy history is re-verified
 * link by link (or the initial policy trusted on install into an empty history), the ledger view and counters are
 * loaded, and the outbox relay resumes with what an earlier run left (admissions put together again from the inbound
 * records their capsules came in, {@link CapsuleRecall}). Any failure stops the gateway: it never runs on a policy
 * history it could not verify.
 */
@ApplicationScoped
public class GatewayStartup {
    private static final Logger LOG = Logger.getLogger(GatewayStartup.class);

    private final GatewayConfig config;
    private final GatewayIdentity gateway;
    private final GatewayRepository repository;
    private final PolicyState policies;
    private final LedgerView view;
    private final GatewayStats stats;
    private final OutboxRelay relay;
    private final CapsuleRecall recall;
    private final DiodeFreshness freshness;
    private final StatusFile status;
    private final Clock clock;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    @Inject
    public GatewayStartup(GatewayConfig config, GatewayIdentity gateway, GatewayRepository repository,
            PolicyState policies, LedgerView view, GatewayStats stats, OutboxRelay relay, CapsuleRecall recall,
            DiodeFreshness freshness, StatusFile status, Clock clock) {
        this.config = config;
        this.gateway = gateway;
        this.repository = repository;
        this.policies = policies;
        this.view = view;
        this.stats = stats;
        this.relay = relay;
        this.recall = recall;
        this.freshness = freshness;
        this.status = status;
        this.clock = clock;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        try {
            start();
            ready.complete(null);
        } catch (RuntimeException e) {
            ready.completeExceptionally(e);
            LOG.errorf("Gateway %s cannot start: %s", config.id(), e.getMessage());
            throw e;
        }
    }

    private void start() {
        gateway.key(); // fail fast on an unreadable key
        List<TrustedPolicy> history = loadPolicies();
        policies.replace(history);
        if (history.isEmpty()) {
            LOG.errorf("No policy is installed and airlock.gateway.initial-policy is not set: every capsule is rejected "
                    + "POLICY_INVALID until a policy is configured");
        } else {
            TrustedPolicy p = history.get(history.size() - 1);
            LOG.infof("Policy version %d (%s) in force, expires %s; history of %d version(s) verified", p.version(),
                    p.digest(), StrictJson.formatInstant(p.expiresAt()), history.size());
            for (String warning : Decider.warnings(p, gateway)) {
                LOG.warnf("Policy version %d: %s", p.version(), warning);
            }
        }

        view.capacity(config.ledgerCacheSize());
        view.clear();
        List<LineageHead> heads = Db.await(() -> repository.lineageHeads(config.ledgerCacheSize()));
        List<Object[]> admitted = Db.await(() -> repository.recentAdmissions(config.ledgerCacheSize()));
        for (int i = admitted.size() - 1; i >= 0; i--) {
            Object[] row = admitted.get(i);
            view.admitted((String) row[0], (String) row[1], (Long) row[2]);
        }
        heads.forEach(h -> view.learn(Map.of(), Map.of(h.lineage, OptionalLong.of(h.lastSequence))));
        Map<String, Long> counts = Db.await(repository::capsuleVerdictCounts);
        // a method, never a field: stats is a client proxy
        stats.load(counts.getOrDefault("admitted", 0L), counts.getOrDefault("rejected", 0L));

        List<OutboxMessage> pending = Db.await(repository::pendingOutbox);
        CapsuleRecall.Outcome outbox = recall.rebuild(pending);
        stats.unpublishable(outbox.unrecoverable().size());
        relay.start(outbox.ready());
        freshness.start();
        LOG.infof("Gateway %s ready for environment %s: %d admitted, %d rejected so far; ledger view of %d capsule(s)",
                gateway.id(), gateway.environment(), stats.admitted(), stats.rejected(), view.size());
        status.ready();
    }

    private List<TrustedPolicy> loadPolicies() {
        Optional<byte[]> initial = config.initialPolicy().map(GatewayStartup::read);
        Optional<String> anchor;
        try {
            anchor = initial.isPresent() ? Optional.of(PolicyHistoryReplay.digestOf(initial.get())) : Optional.empty();
        } catch (VerificationException e) {
            throw new IllegalStateException("airlock.gateway.initial-policy is not a policy envelope: " + e.reason()
                    + " " + e.detail());
        }
        List<PolicyHistoryEntry> rows = Db.await(repository::policyHistory);
        if (!rows.isEmpty()) {
            try {
                return PolicyHistoryReplay.replay(rows, anchor, clock);
            } catch (PolicyHistoryReplay.TamperedHistoryException e) {
                throw new IllegalStateException("the stored policy history fails verification: " + e.getMessage());
            }
        }
        if (initial.isEmpty()) {
            return List.of();
        }
        // ARCHITECTURE §3.1: the first policy is trusted on install once it carries a threshold of its own root keys
        PolicyTrust.Accepted a;
        try {
            a = new PolicyTrust(clock).accept(initial.get(), Optional.empty(), new InMemoryPolicyStore());
        } catch (VerificationException e) {
            throw new IllegalStateException("airlock.gateway.initial-policy " + config.initialPolicy().get()
                    + " is refused: " + e.reason() + " " + e.detail());
        }
        PolicyHistoryEntry entry = new PolicyHistoryEntry();
        entry.version = a.policy().version();
        entry.digest = a.policy().digest();
        entry.envelope = initial.get();
        entry.source = PolicyHistoryEntry.SOURCE_INITIAL;
        entry.installedAt = clock.instant();
        Db.await(() -> repository.installInitial(entry));
        LOG.infof("Trusted on install: policy version %d (%s) from %s", entry.version, entry.digest,
                config.initialPolicy().get());
        return List.of(a.policy());
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read airlock.gateway.initial-policy " + p, e);
        }
    }

    /** Blocks until start-up finished; rethrows its failure. */
    public void awaitReady() throws InterruptedException {
        try {
            ready.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the gateway did not start", e.getCause());
        }
    }
}
