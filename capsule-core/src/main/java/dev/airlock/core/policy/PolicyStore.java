package dev.airlock.core.policy;

import java.util.List;
import java.util.Optional;

/**
 * The installed policy history of one verifier (gateway, CLI {@code --state}, approval service). The first entry was
 * trusted on install; every later one was verified against its predecessor by {@link PolicyTrust}.
 */
public interface PolicyStore {
    /** The policy in force, if any has been installed. */
    Optional<TrustedPolicy> current();

    /** Appends a policy that {@link PolicyTrust#accept} returned. Must be durable when this returns. */
    void install(TrustedPolicy policy);

    /** Every installed policy, oldest first. */
    List<TrustedPolicy> history();

    /** True if a policy with this payload digest was installed at some point (used to name old versions as rollbacks). */
    default boolean seen(String payloadDigest) {
        return history().stream().anyMatch(p -> p.digest().equals(payloadDigest));
    }
}
