package dev.airlock.gateway.messaging;

import dev.airlock.gateway.service.DiodeFreshness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * Reads {@code airlock.diode.health.v1} for the bridge's signed heartbeats ({@link DiodeFreshness}). Other records
 * on the topic (counters, gaps, the gateway's own freeze alarms) are acknowledged and left to the evidence service.
 * One signature check per record: cheap enough for the event loop.
 */
@ApplicationScoped
public class HeartbeatConsumer {

    private final DiodeFreshness freshness;

    @Inject
    public HeartbeatConsumer(DiodeFreshness freshness) {
        this.freshness = freshness;
    }

    @Incoming(Channels.DIODE_HEALTH_IN)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        freshness.offer(message.getPayload());
        return message.ack();
    }
}
