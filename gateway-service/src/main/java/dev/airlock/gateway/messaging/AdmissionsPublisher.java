package dev.airlock.gateway.messaging;

import dev.airlock.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Writes to {@code airlock.admissions.v1} (ARCHITECTURE §4). Key: the capsule id, or the digest of the received bytes when no capsule id could be established. Value: the exact bytes.
 * Headers: CloudEvents binary mode. The returned stage completes when the broker has acknowledged the record.
 */
@ApplicationScoped
public class AdmissionsPublisher {

    private final Emitter<byte[]> emitter;
    private final URI source;
    private final Clock clock;

    @Inject
    public AdmissionsPublisher(@Channel(Channels.ADMISSIONS_OUT) Emitter<byte[]> emitter, GatewayConfig config, Clock clock) {
        this.emitter = emitter;
        this.source = URI.create(config.source());
        this.clock = clock;
    }

    /** A new record: fresh {@code ce_id}, {@code ce_time} now. */
    public CompletionStage<Void> publish(String key, String type, byte[] value) {
        return publish(key, type, value, UUID.randomUUID().toString(), clock.instant());
    }

    /** A record whose CloudEvents id and time were fixed earlier (outbox relay: a resend is the same record). */
    public CompletionStage<Void> publish(String key, String type, byte[] value, String ceId, Instant ceTime) {
        return CloudEventRecords.send(emitter, source, key, type, value, ceId, ceTime);
    }
}
