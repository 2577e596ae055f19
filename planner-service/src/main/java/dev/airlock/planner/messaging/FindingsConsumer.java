package dev.airlock.planner.messaging;

import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.intake.IntakeDocument;
import dev.airlock.planner.intake.IntakeException;
import dev.airlock.planner.intake.IntakeParser;
import dev.airlock.planner.service.IntakeService;
import dev.airlock.planner.service.ProposalService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code airlock.findings.v1}: the planner intake format (planner-service README, "Intake formats") — a SARIF
 * log or result, an OSV entry, a CycloneDX SBOM, a service graph or an exploitability feed, bare or in the
 * {@code airlock.intake/v1} wrapper. A document that does not parse is dead-lettered with {@code MALFORMED} (or
 * {@code TOO_LARGE}) and the JSON pointer of the problem; a good one is stored in one transaction together with its
 * inbox row ({@code topic/partition/offset}), and acknowledged (offset committed) only after that commit, so a
 * redelivery changes nothing.
 */
@ApplicationScoped
public class FindingsConsumer {

    private static final Logger LOG = Logger.getLogger(FindingsConsumer.class);

    @Inject
    IntakeService intake;
    @Inject
    ProposalService proposals;
    @Inject
    PlannerConfig config;

    @Incoming(Channels.FINDINGS_IN)
    public Uni<Void> consume(Message<byte[]> message) {
        IntakeDocument doc;
        try {
            doc = IntakeParser.parse(message.getPayload(), IntakeParser.Hints.NONE, config.maxDocumentBytes());
        } catch (IntakeException e) {
            return Uni.createFrom().completionStage(DeadLetters.reject(message, e.toVerificationException()));
        }
        String inboxId = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "/" + m.getPartition() + "/" + m.getOffset()).orElse(null);
        String topic = message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getTopic()).orElse("?");
        return intake.ingest(doc, null, "kafka", inboxId, topic)
                .invoke(outcome -> LOG.debugf("Took in %s %s from %s: %d finding(s)%s", outcome.kind(),
                        outcome.digest(), DeadLetters.describe(message), outcome.findingIds().size(),
                        outcome.duplicate() ? " (redelivery)" : ""))
                .chain(outcome -> Uni.createFrom().completionStage(message.ack()))
                .invoke(proposals::kick);
    }
}
