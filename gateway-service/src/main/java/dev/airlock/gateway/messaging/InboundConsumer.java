package dev.airlock.gateway.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.inbound.v1}: what the diode receiver delivered, which is a signed capsule (§3.4) or a
 * signed policy (§3.1) and nothing else.
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);
    private static final Set<String> SIGNED_CAPSULE_FIELDS = Set.of("schema", "capsule", "approvals");

    /** The two kinds of document allowed through the diode. */
    public enum Kind {
        SIGNED_CAPSULE, SIGNED_POLICY
    }

    @Incoming(Channels.INBOUND_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            Kind kind = classify(document);
            // Admission (ARCHITECTURE §5) slots in here, before the acknowledgement.
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape; signatures and policy come later, in the engine. */
    static Kind classify(JsonNode document) throws VerificationException {
        if (document.has("schema")) {
            Documents.requireSchema(document, Set.of(Documents.SCHEMA_SIGNED_CAPSULE), "inbound document");
            Documents.requireOnlyFields(document, SIGNED_CAPSULE_FIELDS, "signed capsule");
            Documents.requireDsse(document.get("capsule"), Documents.PAYLOAD_CAPSULE, "signed capsule 'capsule'");
            JsonNode approvals = document.get("approvals");
            if (approvals == null || !approvals.isArray()) {
                throw Documents.malformed("signed capsule: field 'approvals' must be an array");
            }
            for (JsonNode approval : approvals) {
                Documents.requireDsse(approval, Documents.PAYLOAD_APPROVAL, "signed capsule approval");
            }
            return Kind.SIGNED_CAPSULE;
        }
        if (document.has("payloadType")) {
            Documents.requireDsse(document, Documents.PAYLOAD_POLICY, "inbound envelope");
            return Kind.SIGNED_POLICY;
        }
        throw Documents.malformed("inbound document is neither a signed capsule nor a signed policy");
    }
}
