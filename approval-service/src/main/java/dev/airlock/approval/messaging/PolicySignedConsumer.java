package dev.airlock.approval.messaging;

import dev.airlock.approval.service.PolicyService;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.policy.signed.v1}: policy rotations, verified by capsule-core's {@link PolicyTrust} (root
 * threshold of the old and the new root, no rollback, not expired). Not a policy envelope at all → dead-lettered;
 * a policy that fails verification is audited as refused and acknowledged; the policy in force redelivered is a no-op.
 */
@ApplicationScoped
public class PolicySignedConsumer {

    private static final Logger LOG = Logger.getLogger(PolicySignedConsumer.class);

    private final PolicyService policies;

    @Inject
    public PolicySignedConsumer(PolicyService policies) {
        this.policies = policies;
    }

    @Incoming(Channels.POLICY_SIGNED_IN)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            PolicyTrust.Accepted a = policies.offer(message.getPayload(), DeadLetters.describe(message));
            LOG.debugf("Policy version %d from %s (%s)", a.policy().version(), DeadLetters.describe(message),
                    a.changed() ? "installed" : "already in force");
            return message.ack();
        } catch (VerificationException e) {
            if (e.reason() == ReasonCode.MALFORMED || e.reason() == ReasonCode.TOO_LARGE) {
                return DeadLetters.reject(message, e);
            }
            LOG.warnf("Policy from %s refused: %s %s", DeadLetters.describe(message), e.reason(), e.detail());
            return message.ack();
        }
    }
}
