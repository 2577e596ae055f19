package dev.airlock.planner.messaging;

import dev.airlock.core.events.Topics;

/**
 * The planner service's channels (ARCHITECTURE §4, control cluster). Annotation values must be compile-time
 * constants, so they are spelled as {@code topic + "-in"/"-out"} here; {@code ChannelsTest} pins them to
 * {@link Topics#in(String)} / {@link Topics#out(String)}.
 */
public final class Channels {
    private Channels() {
    }

    /** Consumer group of every planner-service channel. */
    public static final String GROUP = "planner-service";

    public static final String FINDINGS_IN = Topics.FINDINGS + "-in";

    public static final String POLICY_IN = Topics.POLICY_SIGNED + "-in";

    public static final String PROPOSALS_OUT = Topics.PROPOSALS + "-out";
}
