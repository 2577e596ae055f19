package dev.airlock.approval.messaging;

import dev.airlock.core.events.Topics;

/**
 * The approval service's channels (ARCHITECTURE §4, control cluster). Annotation values must be compile-time
 * constants, so they are spelled as {@code topic + "-in"/"-out"} here; {@code ChannelsTest} pins them to
 * {@link Topics#in(String)} / {@link Topics#out(String)}.
 */
public final class Channels {
    private Channels() {
    }

    /**
     * Worker pool of the proposal and decision consumers ({@code smallrye.messaging.worker.<name>.max-concurrency}),
     * kept below the datasource's pool so that concurrent decisions never starve each other of connections.
     */
    public static final String WORKERS = "airlock-approval-workers";

    /** Consumer group of every approval-service channel. */
    public static final String GROUP = "approval-service";

    public static final String PROPOSALS_IN = Topics.PROPOSALS + "-in";
    public static final String DECISIONS_IN = Topics.DECISIONS + "-in";
    public static final String POLICY_SIGNED_IN = Topics.POLICY_SIGNED + "-in";

    public static final String CAPSULES_SIGNED_OUT = Topics.CAPSULES_SIGNED + "-out";
}
