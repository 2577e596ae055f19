package dev.airlock.gateway.service;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.gateway.domain.PolicyHistoryEntry;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Re-verifies the stored policy history link by link, exactly as it was accepted (TUF 5.3.4 for every rotation,
 * trust on install for the first), so a row edited in PostgreSQL is detected instead of trusted. The configured
 * initial policy anchors the chain: it must be part of the history, else a wholesale replacement of the table by a
 * self-consistent chain under another root would pass.
 */
public final class PolicyHistoryReplay {
    private PolicyHistoryReplay() {
    }

    /** Why the stored history cannot be trusted; the gateway refuses to start. */
    public static final class TamperedHistoryException extends Exception {
        private static final long serialVersionUID = 1L;

        public TamperedHistoryException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param rows          policy_history rows ordered by version
     * @param anchorDigest  payload digest of the configured initial policy, if one is configured
     * @return the verified history, oldest first
     */
    public static List<TrustedPolicy> replay(List<PolicyHistoryEntry> rows, Optional<String> anchorDigest, Clock clock)
            throws TamperedHistoryException {
        PolicyTrust trust = new PolicyTrust(clock);
        InMemoryPolicyStore replayed = new InMemoryPolicyStore();
        for (PolicyHistoryEntry row : rows) {
            PolicyTrust.Accepted accepted;
            try {
                // Intermediate versions may have expired since they were installed; expiry of the one in force is
                // the engine's business (POLICY_EXPIRED, fail closed).
                accepted = trust.accept(row.envelope, replayed.current(), replayed, false);
            } catch (VerificationException e) {
                throw new TamperedHistoryException(String.format(Locale.ROOT,
                        "policy_history row version %d does not verify: %s %s", row.version, e.reason(), e.detail()));
            }
            TrustedPolicy p = accepted.policy();
            if (!accepted.changed()) {
                throw new TamperedHistoryException(String.format(Locale.ROOT,
                        "policy_history row version %d repeats the policy before it", row.version));
            }
            if (p.version() != row.version || !p.digest().equals(row.digest)) {
                throw new TamperedHistoryException(String.format(Locale.ROOT,
                        "policy_history row version %d (%s) holds policy version %d (%s)", row.version, row.digest,
                        p.version(), p.digest()));
            }
            replayed.install(p);
        }
        if (anchorDigest.isPresent() && !rows.isEmpty()
                && replayed.history().stream().noneMatch(p -> p.digest().equals(anchorDigest.get()))) {
            throw new TamperedHistoryException("the configured initial policy " + anchorDigest.get()
                    + " is not part of the stored policy history");
        }
        return replayed.history();
    }

    /** The payload digest of a policy envelope (for the anchor check), without trusting it. */
    public static String digestOf(byte[] envelope) throws VerificationException {
        return Envelope.parse(envelope, StrictJson.SIGNED).payloadDigest();
    }
}
