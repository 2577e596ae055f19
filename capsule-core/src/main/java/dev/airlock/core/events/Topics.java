package dev.airlock.core.events;

/**
 * Kafka topic names (ARCHITECTURE §4) and the SmallRye channel names derived from them ({@code <topic>-in} /
 * {@code <topic>-out}). Dead-letter topics are {@code <topic>.dlq}. Shared by services and their tests.
 */
public final class Topics {
    private Topics() {
    }

    // control cluster
    public static final String FINDINGS = "airlock.findings.v1";
    public static final String PROPOSALS = "airlock.proposals.v1";
    public static final String DECISIONS = "airlock.decisions.v1";
    public static final String CAPSULES_SIGNED = "airlock.capsules.signed.v1";
    public static final String POLICY_SIGNED = "airlock.policy.signed.v1";

    // enclave cluster
    public static final String INBOUND = "airlock.inbound.v1";
    public static final String ADMISSIONS = "airlock.admissions.v1";
    public static final String EVIDENCE_RAW = "airlock.evidence.raw.v1";
    public static final String EVIDENCE_SANITIZED = "airlock.evidence.sanitized.v1";
    public static final String EVIDENCE_METADATA = "airlock.evidence.metadata.v1";
    public static final String DIODE_HEALTH = "airlock.diode.health.v1";

    /** Topics that live on the control cluster; nothing in the enclave may produce to or consume from them. */
    public static final java.util.List<String> CONTROL = java.util.List.of(FINDINGS, PROPOSALS, DECISIONS,
            CAPSULES_SIGNED, POLICY_SIGNED);
    /** Topics that live on the enclave cluster; none is mirrored outward by Airlock. */
    public static final java.util.List<String> ENCLAVE = java.util.List.of(INBOUND, ADMISSIONS, EVIDENCE_RAW,
            EVIDENCE_SANITIZED, EVIDENCE_METADATA, DIODE_HEALTH);

    public static String in(String topic) {
        return topic + "-in";
    }

    public static String out(String topic) {
        return topic + "-out";
    }

    public static String dlq(String topic) {
        return topic + ".dlq";
    }

    /** CloudEvents binary-mode header names (§4). */
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_ID = "ce_id";
    public static final String CE_TIME = "ce_time";
    /** Header carrying the reason code of a record sent to a dead-letter topic. */
    public static final String DLQ_REASON = "airlock_dlq_reason";
    public static final String DLQ_DETAIL = "airlock_dlq_detail";
}
