package dev.airlock.approval.messaging;

import dev.airlock.approval.service.ProposalOutcome;
import dev.airlock.approval.service.ProposalService;
import dev.airlock.core.verify.VerificationException;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.proposals.v1} (SERVICE-CONTRACTS: {@code airlock.proposal/v1}). A value that is not a
 * proposal at all is dead-lettered with its reason; a proposal the engine refuses is audited and acknowledged (it is
 * an answer, not poison). The record is acknowledged, and its offset committed, only after the queueing transaction
 * committed; the capsule id is the inbox key, so a redelivered record changes nothing.
 */
@ApplicationScoped
public class ProposalsConsumer {

    private static final Logger LOG = Logger.getLogger(ProposalsConsumer.class);

    private final ProposalService proposals;

    @Inject
    public ProposalsConsumer(ProposalService proposals) {
        this.proposals = proposals;
    }

    @Incoming(Channels.PROPOSALS_IN)
    @Blocking(value = Channels.WORKERS, ordered = false)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            ProposalOutcome o = Retry.transientChecked(
                    () -> proposals.receive(message.getPayload(), DeadLetters.describe(message)));
            LOG.debugf("Proposal %s from %s: %s %s %s", o.capsuleId(), DeadLetters.describe(message), o.outcome(),
                    o.status() == null ? "" : o.status(), o.reason() == null ? "" : o.reason());
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }
}
