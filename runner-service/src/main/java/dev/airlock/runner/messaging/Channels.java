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

    /** Consumer group of every runner-service channel. */
    public static final String GROUP = "runner-service";

    public static final String ADMISSIONS_IN = Topics.ADMISSIONS + "-in";

    public static final String EVIDENCE_RAW_OUT = Topics.EVIDENCE_RAW + "-out";
}
