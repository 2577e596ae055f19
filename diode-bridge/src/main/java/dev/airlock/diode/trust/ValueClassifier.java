package dev.airlock.diode.trust;

import dev.airlock.core.verify.VerificationException;

/**
 * Shape check of a value before it may cross the diode (sender) or enter the enclave (receiver): a signed capsule
 * (ARCHITECTURE §3.4) or a policy DSSE (§3.1), nothing else. No signature is checked here — that is the gateway's
 * job with the policy in force — but nothing of any other shape is ever transmitted or produced.
 */
@FunctionalInterface
public interface ValueClassifier {
    enum Kind {
        SIGNED_CAPSULE("airlock.signed-capsule/v1"),
        POLICY("airlock.policy/v1");

        private final String schema;

        Kind(String schema) {
            this.schema = schema;
        }

        /** The CloudEvents {@code ce_type} of a record of this kind. */
        public String schema() {
            return schema;
        }
    }

    Kind classify(byte[] value) throws VerificationException;
}
