package dev.airlock.gateway.messaging;

import dev.airlock.core.events.Topics;

/**
 * The gateway's channels (ARCHITECTURE §4, enclave cluster). Annotation values must be compile-time constants, so
 * they are spelled as {@code topic + "-in"/"-out"} here; {@code ChannelsTest} pins them to
 * {@link Topics#in(String)} / {@link Topics#out(String)}.
 */
public final class Channels {
    private Channels() {
    }

    /** Consumer group of every gateway channel. */
    public static final String GROUP = "gateway-service";

    public static final String INBOUND_IN = Topics.INBOUND + "-in";

    public static final String ADMISSIONS_OUT = Topics.ADMISSIONS + "-out";
    public static final String EVIDENCE_RAW_OUT = Topics.EVIDENCE_RAW + "-out";
    public static final String DIODE_HEALTH_OUT = Topics.DIODE_HEALTH + "-out";
}
