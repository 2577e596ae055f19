package dev.airlock.approval.messaging;

import dev.airlock.approval.domain.DecisionOutcome;
import dev.airlock.approval.domain.Via;
import dev.airlock.approval.service.DecisionService;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.decisions.v1}: approval DSSE envelopes from external approval UIs (ARCHITECTURE §3.3).
 * Decided exactly as a decision posted over HTTP, except that no authenticated user is involved: the signature is the
 * identity. A value that is not an approval envelope at all is dead-lettered; a refused decision is audited with its
 * reason code and acknowledged; a duplicate is recognised by its envelope digest and changes nothing.
 */
@ApplicationScoped
public class DecisionsConsumer {

    private static final Logger LOG = Logger.getLogger(DecisionsConsumer.class);
    private static final Set<String> POISON = Set.of(ReasonCode.MALFORMED.name(), ReasonCode.TOO_LARGE.name(),
            ReasonCode.POLICY_INVALID.name());

    private final DecisionService decisions;

    @Inject
    public DecisionsConsumer(DecisionService decisions) {
        this.decisions = decisions;
    }

    @Incoming(Channels.DECISIONS_IN)
    @Blocking(value = Channels.WORKERS, ordered = false)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        String from = DeadLetters.describe(message);
        DecisionOutcome o = Retry.transient_(() -> decisions.submit(message.getPayload(), Via.KAFKA, null, null, from));
        LOG.debugf("Decision from %s: %s %s %s", from, o.outcome(), o.reason() == null ? "" : o.reason(),
                o.status() == null ? "" : o.status());
        if (o.isRefused() && POISON.contains(o.reason())) {
            return DeadLetters.reject(message, new VerificationException(ReasonCode.valueOf(o.reason()), o.detail()));
        }
        return message.ack();
    }
}
