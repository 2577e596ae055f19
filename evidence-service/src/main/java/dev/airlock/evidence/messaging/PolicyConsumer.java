package dev.airlock.evidence.messaging;

import dev.airlock.core.verify.InboundClassifier;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.service.PolicyService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Follows policy rotations on {@code airlock.inbound.v1} in its own consumer group (SERVICE-CONTRACTS "Who verifies
 * what"): policy envelopes are offered to {@link PolicyService}; signed capsules are the gateway's business and are
 * acknowledged untouched; anything else is the gateway's to dead-letter, so it is only logged here.
 */
@ApplicationScoped
public class PolicyConsumer {
    private static final Logger LOG = Logger.getLogger(PolicyConsumer.class);

    private final PolicyService policies;

    @Inject
    public PolicyConsumer(PolicyService policies) {
        this.policies = policies;
    }

    @Incoming(Channels.INBOUND_IN)
    public Uni<Void> consume(Message<byte[]> message) {
        String source = DeadLetters.describe(message);
        InboundClassifier.InboundKind kind;
        try {
            kind = InboundClassifier.classify(message.getPayload());
        } catch (VerificationException e) {
            LOG.debugf("Ignoring %s on the inbound topic: %s", source, e.reason());
            return Uni.createFrom().completionStage(message.ack());
        }
        if (kind != InboundClassifier.InboundKind.POLICY) {
            return Uni.createFrom().completionStage(message.ack());
        }
        return policies.offer(message.getPayload(), source)
                .chain(o -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(t -> Uni.createFrom().completionStage(message.nack(t)));
    }
}
