package dev.airlock.approval.messaging;

import dev.airlock.core.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelsTest {

    @Test
    void channelNamesAreDerivedFromTheTopicContract() {
        assertEquals(Topics.in(Topics.PROPOSALS), Channels.PROPOSALS_IN);
        assertEquals(Topics.in(Topics.DECISIONS), Channels.DECISIONS_IN);
        assertEquals(Topics.in(Topics.POLICY_SIGNED), Channels.POLICY_SIGNED_IN);
        assertEquals(Topics.out(Topics.CAPSULES_SIGNED), Channels.CAPSULES_SIGNED_OUT);
    }

    @Test
    void theServiceTouchesOneClusterOnly() {
        for (String topic : List.of(Topics.PROPOSALS,
                Topics.DECISIONS,
                Topics.POLICY_SIGNED,
                Topics.CAPSULES_SIGNED)) {
            assertTrue(Topics.CONTROL.contains(topic), topic);
        }
    }
}
