package dev.airlock.runner.messaging;

import dev.airlock.core.events.Topics;

/**
 * The runner service's channels (ARCHITECTURE §4, enclave cluster). Annotation values must be compile-time
 * constants, so they are spelled as {@code topic + "-in"/"-out"} here; {@code ChannelsTest} pins them to
 * {@link Topics#in(String)} / {@link Topics#out(String)}.
 */
public final class Channels {
    private Channels() {
    }

    /**
     * Prefix of the runner's consumer group. Each runner is a group of its own, {@code runner-service.<runner id>}
     * ({@link #group(String)}): every runner must see every admission and act on those of its environment; runners
     * sharing a group would split the partitions between them and skip each other's capsules.
     */
    public static final String GROUP = "runner-service";

    public static final String ADMISSIONS_IN = Topics.ADMISSIONS + "-in";

    public static final String EVIDENCE_RAW_OUT = Topics.EVIDENCE_RAW + "-out";

    /** The consumer group of the runner {@code runnerId}. */
    public static String group(String runnerId) {
        return GROUP + "." + runnerId;
    }
}
