package dev.airlock.evidence.messaging;

import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelsTest {

    @Test
    void channelNamesAreDerivedFromTheTopicContract() {
        assertEquals(Topics.in(Topics.EVIDENCE_RAW), Channels.EVIDENCE_RAW_IN);
        assertEquals(Topics.in(Topics.DIODE_HEALTH), Channels.DIODE_HEALTH_IN);
        assertEquals(Topics.out(Topics.EVIDENCE_SANITIZED), Channels.EVIDENCE_SANITIZED_OUT);
        assertEquals(Topics.out(Topics.EVIDENCE_METADATA), Channels.EVIDENCE_METADATA_OUT);
    }

    @Test
    void theServiceTouchesOneClusterOnly() {
        for (String topic : List.of(Topics.EVIDENCE_RAW,
                Topics.DIODE_HEALTH,
                Topics.EVIDENCE_SANITIZED,
                Topics.EVIDENCE_METADATA)) {
            assertTrue(Topics.ENCLAVE.contains(topic), topic);
        }
    }
}
