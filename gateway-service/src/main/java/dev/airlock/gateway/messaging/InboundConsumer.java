package dev.airlock.gateway.messaging;

import dev.airlock.gateway.service.AdmissionService;
import dev.airlock.gateway.service.Inbound;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.inbound.v1}: exactly the bytes that crossed the diode, a signed capsule (§3.4) or a signed
 * policy (§3.1). Records arrive in batches (one poll of one consumer); each batch is decided and recorded in one
 * PostgreSQL transaction by {@link AdmissionService}, on a worker thread (signature checks of large capsules never
 * run on the event loop), in offset order. The batch is acknowledged, and its offsets committed, only after that
 * transaction committed. Bad input is never dead-lettered: it is a rejection with its reason code, published and kept
 * as evidence like any other verdict.
 */
@ApplicationScoped
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);

    private final AdmissionService admission;

    @Inject
    public InboundConsumer(AdmissionService admission) {
        this.admission = admission;
    }

    @Incoming(Channels.INBOUND_IN)
    @Blocking // ordered: one batch after the other, per channel
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<Inbound> records = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, byte[]> r : batch.getRecords()) {
            IncomingKafkaRecordMetadata<?, ?> m = r.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
            records.add(Inbound.of(m.getTopic(), m.getPartition(), m.getOffset(), r.getKey(), r.getPayload()));
        }
        try {
            admission.process(records);
        } catch (InterruptedException e) {
            // shutting down: neither acknowledged nor dead-lettered, so the records are delivered again next time
            Thread.currentThread().interrupt();
            LOG.infof("Stopped before recording %d record(s); they will be delivered again", records.size());
            return new CompletableFuture<>();
        } catch (IllegalStateException e) {
            LOG.errorf("Not deciding %d record(s): %s", records.size(), e.getMessage());
            return new CompletableFuture<>();
        }
        return batch.ack();
    }
}
