package dev.airlock.runner.messaging;

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
 * Consumes {@code airlock.admissions.v1}:
 * the gateway's verdicts, {@code {verdict, reason, capsule…}} (ARCHITECTURE §4).
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class AdmissionsConsumer {

    private static final Logger LOG = Logger.getLogger(AdmissionsConsumer.class);
    private static final Set<String> VERDICTS = Set.of("admitted", "rejected");

    @Incoming(Channels.ADMISSIONS_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            String kind = check(document);
            // Slots in here, before the acknowledgement:
            // Apply, validate and rollback rehearsal (§7).
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape and returns what it is; signatures are checked later, by the engine. */
    static String check(JsonNode document) throws VerificationException {
        String verdict = Documents.text(document, "verdict", "admission");
        if (!VERDICTS.contains(verdict)) {
            throw Documents.malformed("admission: verdict '%s' is neither admitted nor rejected",
                    verdict.length() > 40 ? verdict.substring(0, 40) + "…" : verdict);
        }
        return verdict + " admission";
    }
}
