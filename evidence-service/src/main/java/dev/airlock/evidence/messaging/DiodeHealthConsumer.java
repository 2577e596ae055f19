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
 * Consumes {@code airlock.diode.health.v1}:
 * the diode receiver's reports (heartbeats seen, gaps, drops by reason), objects
 * whose {@code schema} starts with {@code airlock.diode.}.
 * Anything else is dead-lettered with its reason; a well-formed record is acknowledged, and its offset committed,
 * only after it has been handled.
 */
@ApplicationScoped
public class DiodeHealthConsumer {

    private static final Logger LOG = Logger.getLogger(DiodeHealthConsumer.class);
    private static final String SCHEMA_PREFIX = "airlock.diode.";

    @Incoming(Channels.DIODE_HEALTH_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            JsonNode document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            String kind = check(document);
            // Slots in here, before the acknowledgement:
            // Recording diode health as evidence.
            LOG.debugf("Accepted %s from %s", kind, DeadLetters.describe(message));
            return message.ack();
        } catch (VerificationException e) {
            return DeadLetters.reject(message, e);
        }
    }

    /** Recognises the document by shape and returns what it is; signatures are checked later, by the engine. */
    static String check(JsonNode document) throws VerificationException {
        String schema = Documents.text(document, "schema", "diode health report");
        if (!schema.startsWith(SCHEMA_PREFIX)) {
            throw Documents.malformed("diode health report: schema '%s' is not an airlock.diode.* schema",
                    schema.length() > 80 ? schema.substring(0, 80) + "…" : schema);
        }
        return schema;
    }
}
