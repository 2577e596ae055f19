package dev.airlock.evidence.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.evidence.raw.v1}:
 * evidence bundles signed by a runner or the gateway, DSSE envelopes of in-toto Statements
 * (ARCHITECTURE §3.5).
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class EvidenceRawConsumer {

    private static final Logger LOG = Logger.getLogger(EvidenceRawConsumer.class);

    @Incoming(Channels.EVIDENCE_RAW_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            String kind = check(document);
            // Slots in here, before the acknowledgement:
            // Bundle verification, the Merkle log append and the egress projections (§3.5, §3.6).
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape and returns what it is; signatures are checked later, by the engine. */
    static String check(JsonNode document) throws VerificationException {
        Documents.requireDsse(document, Documents.PAYLOAD_IN_TOTO, "evidence bundle");
        return "evidence bundle";
    }
}
