package dev.airlock.gateway.messaging;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends one record in CloudEvents binary mode (ARCHITECTURE §4): key as UTF-8, the exact value bytes, {@code ce_*}
 * headers. The stage completes when the broker acknowledged the record ({@code acks=all}, idempotent producer).
 */
final class CloudEventRecords {
    private CloudEventRecords() {
    }

    static CompletionStage<Void> send(Emitter<byte[]> emitter, URI source, String key, String type, byte[] value,
                                      String id, Instant time) {
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
        emitter.send(Message.of(value, Metadata.of(cloudEvent, record),
                () -> {
                    written.complete(null);
                    return written;
                },
                failure -> {
                    written.completeExceptionally(failure);
                    return written;
                }));
        return written;
    }
}
