package dev.airlock.evidence.messaging;

import dev.airlock.evidence.config.EvidenceConfig;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.net.URI;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes to {@code airlock.evidence.metadata.v1} (ARCHITECTURE §4).
 * <p>
 * Key: the capsule id (UTF-8). Value: the exact bytes. Headers: CloudEvents binary mode ({@code ce_type} = the
 * value's schema). The returned stage completes when the broker has acknowledged the record ({@code acks=all},
 * idempotent producer), so callers commit their input only after that.
 */
@ApplicationScoped
public class EvidenceMetadataPublisher {

    private final Emitter<byte[]> emitter;
    private final URI source;
    private final Clock clock;

    @Inject
    public EvidenceMetadataPublisher(@Channel(Channels.EVIDENCE_METADATA_OUT) Emitter<byte[]> emitter,
            EvidenceConfig config, Clock clock) {
        this.emitter = emitter;
        this.source = URI.create(config.source());
        this.clock = clock;
    }

    /**
     * @param key  the record key (capsule id or finding id)
     * @param type the value's {@code schema} (or DSSE payloadType), written as {@code ce_type}
     */
    public CompletionStage<Void> publish(String key, String type, byte[] value) {
        return publish(key, type, value, UUID.randomUUID().toString());
    }

    /**
     * As {@link #publish(String, String, byte[])} with a given {@code ce_id}: a projection re-published after a
     * redelivery carries the same id, so consumers can collapse the duplicate.
     */
    public CompletionStage<Void> publish(String key, String type, byte[] value, String id) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withId(id)
                .withSource(source)
                .withType(type)
                .withTimestamp(clock.instant().atZone(ZoneOffset.UTC))
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
