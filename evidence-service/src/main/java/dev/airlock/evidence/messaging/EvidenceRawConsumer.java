package dev.airlock.evidence.messaging;

import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.service.IngestService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code airlock.evidence.raw.v1}: evidence bundles signed by a runner or the gateway (ARCHITECTURE §3.5).
 * Each is verified, appended (or quarantined) and projected before it is acknowledged, so its offset is committed
 * only after the log row and the projection are durable. Bytes that are not a DSSE envelope of an in-toto Statement
 * go to the dead-letter topic with their reason.
 */
@ApplicationScoped
public class EvidenceRawConsumer {

    private static final Logger LOG = Logger.getLogger(EvidenceRawConsumer.class);

    private final IngestService ingest;

    @Inject
    public EvidenceRawConsumer(IngestService ingest) {
        this.ingest = ingest;
    }

    @Incoming(Channels.EVIDENCE_RAW_IN)
    public Uni<Void> consume(Message<byte[]> message) {
        String source = DeadLetters.describe(message);
        Uni<IngestService.Outcome> outcome;
        try {
            outcome = ingest.ingest(message.getPayload(), source);
        } catch (VerificationException e) {
            return Uni.createFrom().completionStage(DeadLetters.reject(message, e));
        }
        return outcome.invoke(o -> LOG.debugf("Bundle from %s: %s %s", source, o.status(),
                        o.logIndex() != null ? "leaf " + o.logIndex() : o.reason()))
                .chain(o -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(t -> {
                    LOG.errorf(t, "Bundle from %s could not be stored: sent to the dead-letter topic", source);
                    return Uni.createFrom().completionStage(message.nack(t));
                });
    }
}
