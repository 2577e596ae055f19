package dev.airlock.evidence.messaging;

import dev.airlock.core.events.Topics;

/**
 * The evidence service's channels (ARCHITECTURE §4, enclave cluster). Annotation values must be compile-time
 * constants, so they are spelled as {@code topic + "-in"/"-out"} here; {@code ChannelsTest} pins them to
 * {@link Topics#in(String)} / {@link Topics#out(String)}.
 */
public final class Channels {
    private Channels() {
    }

    /** Consumer group of every evidence-service channel. */
    public static final String GROUP = "evidence-service";

    /** Consumer group following policy rotations on the inbound topic (the gateway has its own). */
    public static final String POLICY_GROUP = "evidence-service-policy";

    public static final String EVIDENCE_RAW_IN = Topics.EVIDENCE_RAW + "-in";
    public static final String INBOUND_IN = Topics.INBOUND + "-in";
    public static final String DIODE_HEALTH_IN = Topics.DIODE_HEALTH + "-in";

    public static final String EVIDENCE_SANITIZED_OUT = Topics.EVIDENCE_SANITIZED + "-out";
    public static final String EVIDENCE_METADATA_OUT = Topics.EVIDENCE_METADATA + "-out";
}
