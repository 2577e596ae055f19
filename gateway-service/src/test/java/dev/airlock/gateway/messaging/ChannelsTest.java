package dev.airlock.gateway.messaging;

import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelsTest {

    @Test
    void channelNamesAreDerivedFromTheTopicContract() {
        assertEquals(Topics.in(Topics.INBOUND), Channels.INBOUND_IN);
        assertEquals(Topics.out(Topics.ADMISSIONS), Channels.ADMISSIONS_OUT);
        assertEquals(Topics.out(Topics.EVIDENCE_RAW), Channels.EVIDENCE_RAW_OUT);
        assertEquals(Topics.out(Topics.DIODE_HEALTH), Channels.DIODE_HEALTH_OUT);
    }

    @Test
    void theGatewayTouchesEnclaveTopicsOnly() {
        for (String topic : new String[] {Topics.INBOUND, Topics.ADMISSIONS, Topics.EVIDENCE_RAW,
                Topics.DIODE_HEALTH}) {
            assertTrue(Topics.ENCLAVE.contains(topic), topic);
        }
    }
}
