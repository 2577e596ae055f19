package dev.airlock.core.dsse;

/** DSSE payload types (ARCHITECTURE §3). Each is bound into the signature through the PAE, so a swap is detected. */
public final class PayloadTypes {
    private PayloadTypes() {
    }

    public static final String POLICY = "application/vnd.airlock.policy.v1+json";
    public static final String CAPSULE = "application/vnd.airlock.capsule.v1+json";
    public static final String APPROVAL = "application/vnd.airlock.approval.v1+json";
    /** Evidence bundles are in-toto Statements v1 (§3.5). */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    /** Signed checkpoint (tree head) of the evidence log (§3.6). */
    public static final String CHECKPOINT = "application/vnd.airlock.checkpoint.v1+json";
    /** Gateway-signed admission decision embedding its capsule (v1, still read; see {@code events.Admission}). */
    public static final String ADMISSION = "application/vnd.airlock.admission.v1+json";
    /** Gateway-signed admission statement naming its capsule by digest (v2; see {@code events.Admission}). */
    public static final String ADMISSION_V2 = "application/vnd.airlock.admission.v2+json";
    /** Evidence-service-signed sanitized projection on {@code airlock.evidence.sanitized.v1}. */
    public static final String SANITIZED_EVIDENCE = "application/vnd.airlock.evidence-sanitized.v1+json";
    /** Evidence-service-signed retention purge record, itself an entry of the evidence log. */
    public static final String EVIDENCE_PURGE = "application/vnd.airlock.evidence-purge.v1+json";
    /** Evidence-service-signed receipt binding a leaf hash to its index in the log (stored beside each leaf). */
    public static final String EVIDENCE_LEAF = "application/vnd.airlock.evidence-leaf.v1+json";
    /** Signed heartbeat of the diode sender (issue «diode-bridge»). */
    public static final String DIODE_HEARTBEAT = "application/vnd.airlock.diode-heartbeat.v1+json";
}
