package dev.airlock.planner.messaging;

import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelsTest {

    @Test
    void channelNamesAreDerivedFromTheTopicContract() {
        assertEquals(Topics.in(Topics.FINDINGS), Channels.FINDINGS_IN);
        assertEquals(Topics.out(Topics.PROPOSALS), Channels.PROPOSALS_OUT);
        assertEquals(Topics.in(Topics.POLICY_SIGNED), Channels.POLICY_IN);
    }

    @Test
    void theServiceTouchesOneClusterOnly() {
        for (String topic : List.of(Topics.FINDINGS, Topics.POLICY_SIGNED, Topics.PROPOSALS)) {
            assertTrue(Topics.CONTROL.contains(topic), topic);
        }
    }
}
