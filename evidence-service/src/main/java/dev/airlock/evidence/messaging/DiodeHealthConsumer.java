package dev.airlock.evidence.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.repository.DiodeEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Clock;
import java.util.Locale;

/**
 * Consumes {@code airlock.diode.health.v1}: the diode receiver's counters, gaps, heartbeats and the gateway's freeze
 * alarms, objects whose {@code schema} starts with {@code airlock.diode.}. Each is kept (de-duplicated by its topic
 * position, in the same transaction) for the dashboard's diode gaps; anything else is dead-lettered with its reason.
 */
@ApplicationScoped
public class DiodeHealthConsumer {

    private static final String SCHEMA_PREFIX = "airlock.diode.";
    public static final String GAP = "airlock.diode.gap/v1";

    private final Clock clock;

    @Inject
    public DiodeHealthConsumer(Clock clock) {
        this.clock = clock;
    }

    @Incoming(Channels.DIODE_HEALTH_IN)
    public Uni<Void> consume(Message<byte[]> message) {
        JsonNode document;
        String schema;
        try {
            document = StrictJson.readTree(message.getPayload(), StrictJson.SIGNED);
            schema = check(document);
        } catch (VerificationException e) {
            return Uni.createFrom().completionStage(DeadLetters.reject(message, e));
        }
        DiodeEvent e = new DiodeEvent();
        e.position = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset())
                .orElse(java.util.UUID.randomUUID().toString());
        e.schemaName = schema;
        e.stream = document.path("stream").isTextual() ? document.get("stream").textValue() : null;
        if (GAP.equals(schema)) {
            e.gapFrom = longOrNull(document, "from");
            e.gapTo = longOrNull(document, "to");
        }
        e.body = message.getPayload();
        e.receivedAt = clock.instant();
        return Panache.withTransaction(() -> DiodeEvent.count("position", e.position)
                        .chain(n -> n > 0 ? Uni.createFrom().voidItem() : e.persist().replaceWithVoid()))
                .chain(() -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(t -> Uni.createFrom().completionStage(message.nack(t)));
    }

    private static Long longOrNull(JsonNode d, String field) {
        JsonNode n = d.get(field);
        return n != null && n.isIntegralNumber() ? n.longValue() : null;
    }

    /** Recognises the document by its schema and returns it. */
    static String check(JsonNode document) throws VerificationException {
        JsonNode s = document.get("schema");
        if (!document.isObject() || s == null || !s.isTextual()) {
            throw new VerificationException(ReasonCode.MALFORMED, "diode health report: field 'schema' must be a string");
        }
        String schema = s.textValue();
        if (!schema.startsWith(SCHEMA_PREFIX)) {
            throw new VerificationException(ReasonCode.MALFORMED, String.format(Locale.ROOT,
                    "diode health report: schema '%s' is not an airlock.diode.* schema",
                    schema.length() > 80 ? schema.substring(0, 80) + "…" : schema));
        }
        return schema;
    }
}
