package dev.airlock.planner.messaging;

import dev.airlock.core.verify.VerificationException;
import dev.airlock.planner.service.PolicyService;
import dev.airlock.planner.service.ProposalService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes {@code airlock.policy.signed.v1}: each policy DSSE is verified by {@code PolicyTrust} against the policy in
 * force (rotation signed by the old and the new root, versions only grow); a refused one is dead-lettered with its
 * reason ({@code POLICY_INVALID}, {@code POLICY_ROLLBACK}, ...). The same policy again is acknowledged and changes
 * nothing. A new policy may allow proposals that were not possible before, so the fleets run again.
 */
@ApplicationScoped
public class PolicyConsumer {

    @Inject
    PolicyService policies;
    @Inject
    ProposalService proposals;

    @Incoming(Channels.POLICY_IN)
    public Uni<Void> consume(Message<byte[]> message) {
        return policies.offer(message.getPayload())
                .chain(changed -> Uni.createFrom().completionStage(message.ack()).invoke(() -> {
                    if (changed) {
                        proposals.kick();
                    }
                }))
                .onFailure(VerificationException.class).recoverWithUni(e -> Uni.createFrom().completionStage(
                        DeadLetters.reject(message, (VerificationException) e)));
    }
}
