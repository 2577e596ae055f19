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

    /** Consumer group of the inbound channel (one owner per partition: admission is ordered per partition). */
    public static final String GROUP = "gateway-service";

    /**
     * Consumer group prefix of the heartbeat channel; the gateway id is appended, so every gateway reads every
     * heartbeat (freshness is each gateway's own judgement).
     */
    public static final String HEALTH_GROUP_PREFIX = "gateway-service.health.";

    public static final String INBOUND_IN = Topics.INBOUND + "-in";
    public static final String DIODE_HEALTH_IN = Topics.DIODE_HEALTH + "-in";

    public static final String ADMISSIONS_OUT = Topics.ADMISSIONS + "-out";
    public static final String EVIDENCE_RAW_OUT = Topics.EVIDENCE_RAW + "-out";
    public static final String DIODE_HEALTH_OUT = Topics.DIODE_HEALTH + "-out";
}
