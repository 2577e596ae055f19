package dev.airlock.planner.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.findings.v1}:
 * one finding from a scanner or the REST intake, a SARIF 2.1.0 {@code result} or an OSV entry
 * (ARCHITECTURE §8).
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class FindingsConsumer {

    private static final Logger LOG = Logger.getLogger(FindingsConsumer.class);

    @Incoming(Channels.FINDINGS_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            String kind = check(document);
            // Slots in here, before the acknowledgement:
            // Reachability, tiering and capsule assembly (§8).
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape and returns what it is; signatures are checked later, by the engine. */
    static String check(JsonNode document) throws VerificationException {
        if (document.has("ruleId")) {
            // SARIF 2.1.0 §3.27: a result names its rule and carries a message object
            Documents.text(document, "ruleId", "SARIF result");
            JsonNode message = document.get("message");
            if (message == null || !message.isObject()) {
                throw Documents.malformed("SARIF result: field 'message' must be an object");
            }
            return "SARIF result";
        }
        if (document.has("id") && document.has("modified")) {
            // OSV schema: id and modified are the required fields of an entry
            Documents.text(document, "id", "OSV entry");
            Documents.text(document, "modified", "OSV entry");
            return "OSV entry";
        }
        throw Documents.malformed("finding is neither a SARIF result nor an OSV entry");
    }
}
