package dev.airlock.gateway.messaging;

import dev.airlock.core.events.Topics;
import dev.airlock.core.verify.VerificationException;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * Sends a record that failed a check to its channel's dead-letter topic ({@code <topic>.dlq}, configured per channel
 * with {@code failure-strategy=dead-letter-queue}) with the reason code and detail in headers
 * ({@link Topics#DLQ_REASON}, {@link Topics#DLQ_DETAIL}). The connector acknowledges the original record only once
 * the dead letter is written, so nothing is silently dropped (ARCHITECTURE §4) and the consumer moves on.
 */
final class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    static CompletionStage<Void> reject(Message<byte[]> message, VerificationException e) {
        if (LOG.isEnabled(Logger.Level.WARN)) {
            LOG.warnf("Dead-lettering %s: %s %s", describe(message), e.reason(), e.detail());
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.DLQ_REASON, e.reason().name().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_DETAIL, e.detail().getBytes(StandardCharsets.UTF_8));
        return message.nack(e, Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build()));
    }

    /** {@code topic-partition@offset}, for logs. */
    static String describe(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset())
                .orElse("record");
    }
}
