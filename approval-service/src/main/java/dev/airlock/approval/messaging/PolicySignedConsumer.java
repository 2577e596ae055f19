package dev.airlock.approval.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.policy.signed.v1}:
 * a policy signed by its root keys, a DSSE envelope of a policy (ARCHITECTURE §3.1).
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class PolicySignedConsumer {

    private static final Logger LOG = Logger.getLogger(PolicySignedConsumer.class);

    @Incoming(Channels.POLICY_SIGNED_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            String kind = check(document);
            // Slots in here, before the acknowledgement:
            // Installing the policy in force (root threshold, rotation, rollback checks).
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape and returns what it is; signatures are checked later, by the engine. */
    static String check(JsonNode document) throws VerificationException {
        Documents.requireDsse(document, Documents.PAYLOAD_POLICY, "signed policy");
        return "policy envelope";
    }
}
