package dev.airlock.core.policy;

import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * Policy trust, modelled on the TUF client workflow for root metadata (TUF spec §5.3 "Update the root role"): the
 * first policy is trusted on install once it is signed by a threshold of its own root keys; version n+1 must be signed
 * by a threshold of version n's root keys and of its own; versions never go backwards; an expired policy is refused.
 */
public final class PolicyTrust {
    /** Outcome of offering a policy envelope: newly installed, or the exact policy already in force. */
    public record Accepted(TrustedPolicy policy, boolean changed) {
    }

    private final Clock clock;

    public PolicyTrust(Clock clock) {
        this.clock = clock;
    }

    /**
     * Verifies {@code envelopeBytes} as the next policy after {@code current} (empty: trust on install).
     *
     * @throws VerificationException TOO_LARGE, MALFORMED, POLICY_INVALID, POLICY_EXPIRED or POLICY_ROLLBACK
     */
    public Accepted accept(byte[] envelopeBytes, Optional<TrustedPolicy> current, PolicyStore history)
            throws VerificationException {
        return accept(envelopeBytes, current, history, true);
    }

    /**
     * As {@link #accept(byte[], Optional, PolicyStore)}; {@code checkExpiry=false} is only for replaying a stored
     * history link by link at start-up, where intermediate versions may have expired since they were installed.
     */
    public Accepted accept(byte[] envelopeBytes, Optional<TrustedPolicy> current, PolicyStore history, boolean checkExpiry)
            throws VerificationException {
        Envelope env = Envelope.parse(envelopeBytes, StrictJson.SIGNED);
        env.requirePayloadType(PayloadTypes.POLICY);
        String digest = env.payloadDigest();

        if (current.isPresent()) {
            TrustedPolicy cur = current.get();
            if (cur.digest().equals(digest)) {
                return new Accepted(cur, false); // the policy in force, delivered again: idempotent
            }
            if (history != null && history.seen(digest)) {
                throw new VerificationException(ReasonCode.POLICY_ROLLBACK,
                        "this policy was installed before and has been superseded by version " + cur.version());
            }
            // TUF 5.3.4: the new root must be signed by a threshold of the trusted root's keys — checked before its
            // payload is parsed, so an unauthorised document is never interpreted.
            requireThreshold(env, cur.rootRing(), cur.rootThreshold(), "version " + cur.version() + " root");
        }

        Policy policy = StrictJson.read(env.payloadBytes(), Policy.class, StrictJson.SIGNED);
        TrustedPolicy candidate = TrustedPolicy.build(policy, env);

        if (current.isPresent()) {
            TrustedPolicy cur = current.get();
            // TUF 5.3.5: versions only grow; the same version with other content is a rollback/fork attempt.
            if (policy.version() <= cur.version()) {
                throw new VerificationException(ReasonCode.POLICY_ROLLBACK, String.format(Locale.ROOT,
                        "policy version %d is not above the installed version %d", policy.version(), cur.version()));
            }
            if (policy.version() != cur.version() + 1) {
                throw new VerificationException(ReasonCode.POLICY_INVALID, String.format(Locale.ROOT,
                        "policy version %d skips version %d: rotations are verified one version at a time (TUF 5.3.4)",
                        policy.version(), cur.version() + 1));
            }
        }
        // TUF 5.3.4 (second half) and trust on install: a threshold of the policy's own root keys.
        requireThreshold(env, candidate.rootRing(), candidate.rootThreshold(), "its own root");

        if (checkExpiry && !clock.instant().isBefore(policy.expiresAt())) {
            throw new VerificationException(ReasonCode.POLICY_EXPIRED,
                    "policy version " + policy.version() + " expired at " + StrictJson.formatInstant(policy.expiresAt()));
        }
        return new Accepted(candidate, true);
    }

    /** Counts distinct root keys (never signature entries or keyids) whose signature over the PAE verifies. */
    private static void requireThreshold(Envelope env, KeyRing ring, int threshold, String whose)
            throws VerificationException {
        Dsse.Result r = Dsse.verify(env, ring);
        int distinct = r.verifiedKeys().size();
        if (distinct < threshold) {
            throw new VerificationException(ReasonCode.POLICY_INVALID, String.format(Locale.ROOT,
                    "policy carries valid signatures by %d distinct key(s) of %s; threshold is %d",
                    distinct, whose, threshold));
        }
    }
}
