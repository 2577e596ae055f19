package dev.airlock.evidence;

import dev.airlock.core.events.Topics;

/** Topics every evidence-service test application starts with (one shared application start). */
public final class Stack {
    public static final String TOPICS = Topics.EVIDENCE_RAW + "," + Topics.DIODE_HEALTH + "," + Topics.INBOUND + ","
            + Topics.EVIDENCE_SANITIZED + "," + Topics.EVIDENCE_METADATA + "," + Topics.INBOUND + ".evidence";

    private Stack() {
    }
}
