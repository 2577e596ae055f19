package dev.airlock.runner.messaging;

import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelsTest {

    @Test
    void channelNamesAreDerivedFromTheTopicContract() {
        assertEquals(Topics.in(Topics.ADMISSIONS), Channels.ADMISSIONS_IN);
        assertEquals(Topics.out(Topics.EVIDENCE_RAW), Channels.EVIDENCE_RAW_OUT);
    }

    @Test
    void everyRunnerIsAConsumerGroupOfItsOwn() {
        assertEquals("runner-service.runner.edge-7", Channels.group("runner.edge-7"));
    }

    @Test
    void theServiceTouchesOneClusterOnly() {
        for (String topic : List.of(Topics.ADMISSIONS,
                Topics.EVIDENCE_RAW)) {
            assertTrue(Topics.ENCLAVE.contains(topic), topic);
        }
    }
}
