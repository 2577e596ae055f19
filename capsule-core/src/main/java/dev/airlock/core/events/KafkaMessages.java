package dev.airlock.core.events;

import dev.airlock.core.verify.VerificationException;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The messaging conventions of ARCHITECTURE §4, written once for every service (SmallRye Reactive Messaging types;
 * the SmallRye APIs are a {@code provided} dependency of capsule-core, present in every service and never needed by the
 * CLI or the diode bridge, which do not load this class):
 * <ul>
 * <li>outgoing records: key = capsule id (UTF-8), value = exact bytes, CloudEvents binary-mode headers
 * ({@code ce_type} = the value's schema or payloadType), completion only when the broker acknowledged the record;</li>
 * <li>dead letters: a record that failed a check is nacked to its channel's {@code <topic>.dlq} with the reason code and
 * detail in headers ({@link Topics#DLQ_REASON}, {@link Topics#DLQ_DETAIL}); the connector acknowledges the original
 * only once the dead letter is written, so nothing is silently dropped.</li>
 * </ul>
 */
public final class KafkaMessages {
    private static final Logger LOG = Logger.getLogger(KafkaMessages.class.getName());

    private KafkaMessages() {
    }

    /** A record to emit and the stage that completes when the broker has acknowledged it. */
    public record Outgoing(Message<byte[]> message, CompletionStage<Void> written) {
    }

    /**
     * Builds an outgoing record.
     *
     * @param key    the record key (capsule id, finding id, stream id)
     * @param type   the value's {@code schema} (or DSSE payloadType), written as {@code ce_type}
     * @param source the producing service ({@code ce_source})
     * @param time   {@code ce_time}
     */
    public static Outgoing outgoing(String key, String type, URI source, Instant time, byte[] value) {
        return outgoing(key, type, source, time, UUID.randomUUID().toString(), value);
    }

    /** As {@link #outgoing(String, String, URI, Instant, byte[])} with a fixed {@code ce_id} (outbox relays resend it). */
    public static Outgoing outgoing(String key, String type, URI source, Instant time, String id, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withId(id)
                .withSource(source)
                .withType(type)
                .withTimestamp(time.atZone(ZoneOffset.UTC))
                .build();
        OutgoingKafkaRecordMetadata<String> record = OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build();
        CompletableFuture<Void> written = new CompletableFuture<>();
        Message<byte[]> message = Message.of(value, Metadata.of(cloudEvent, record),
                () -> {
                    written.complete(null);
                    return written;
                },
                failure -> {
                    written.completeExceptionally(failure);
                    return written;
                });
        return new Outgoing(message, written);
    }

    /** Nacks {@code message} to its dead-letter topic with the reason code and detail in headers. */
    public static CompletionStage<Void> deadLetter(Message<byte[]> message, VerificationException e) {
        if (LOG.isLoggable(Level.WARNING)) {
            LOG.warning(String.format(java.util.Locale.ROOT, "Dead-lettering %s: %s %s", describe(message), e.reason(),
                    e.detail()));
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.DLQ_REASON, e.reason().name().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_DETAIL, e.detail().getBytes(StandardCharsets.UTF_8));
        return message.nack(e, Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build()));
    }

    /** {@code topic-partition@offset}, for logs. */
    public static String describe(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset())
                .orElse("record");
    }
}
