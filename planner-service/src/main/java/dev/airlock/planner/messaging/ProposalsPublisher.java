package dev.airlock.planner.messaging;

import dev.airlock.core.events.KafkaMessages;
import dev.airlock.planner.config.PlannerConfig;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.CompletionStage;

/**
 * Writes to {@code airlock.proposals.v1} (ARCHITECTURE §4).
 * <p>
 * Key: the capsule id (UTF-8). Value: the exact bytes. Headers: CloudEvents binary mode ({@code ce_type} = the
 * value's schema). The returned stage completes when the broker has acknowledged the record ({@code acks=all},
 * idempotent producer), so callers commit their input only after that.
 */
@ApplicationScoped
@Unremovable // emitting code arrives with the domain logic; the channel must exist from the start
public class ProposalsPublisher {

    private final Emitter<byte[]> emitter;
    private final URI source;
    private final Clock clock;

    @Inject
    public ProposalsPublisher(@Channel(Channels.PROPOSALS_OUT) Emitter<byte[]> emitter,
            PlannerConfig config, Clock clock) {
        this.emitter = emitter;
        this.source = URI.create(config.source());
        this.clock = clock;
    }

    /**
     * @param key  the record key (capsule id or finding id)
     * @param type the value's {@code schema} (or DSSE payloadType), written as {@code ce_type}
     */
    public CompletionStage<Void> publish(String key, String type, byte[] value) {
        KafkaMessages.Outgoing out = KafkaMessages.outgoing(key, type, source, clock.instant(), value);
        emitter.send(out.message());
        return out.written();
    }
}
