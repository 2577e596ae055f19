package dev.airlock.testsupport.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local stack runs a control and an enclave cluster side by side (ARCHITECTURE §1); tests must be able to. */
class TwoBrokersTest {

    @Test
    void controlAndEnclaveBrokersAreIndependent() {
        try (KafkaBroker control = KafkaBroker.start(); KafkaBroker enclave = KafkaBroker.start();
             KafkaTestClient toControl = new KafkaTestClient(control);
             KafkaTestClient toEnclave = new KafkaTestClient(enclave)) {
            assertNotEquals(control.bootstrapServers(), enclave.bootstrapServers());

            toControl.send("airlock.capsules.signed.v1", "c-1", "control side");
            toEnclave.send("airlock.inbound.v1", "c-1", "enclave side");

            assertEquals(List.of("c-1"),
                    toControl.readAll("airlock.capsules.signed.v1").stream().map(ConsumerRecord::key).toList());
            assertEquals(List.of("c-1"),
                    toEnclave.readAll("airlock.inbound.v1").stream().map(ConsumerRecord::key).toList());
            // a topic written on one cluster does not exist on the other
            assertTrue(toEnclave.readAll("airlock.capsules.signed.v1").isEmpty());
            assertTrue(toControl.readAll("airlock.inbound.v1").isEmpty());
        }
    }
}
