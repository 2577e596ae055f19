package dev.airlock.core.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;

/**
 * Shape check for what may cross the diode (ARCHITECTURE §3.4, §4 {@code airlock.inbound.v1}): a signed capsule or a
 * policy DSSE envelope, nothing else. No signature is checked here (the bridge holds no trust); the gateway verifies.
 */
public final class InboundClassifier {
    public enum InboundKind { SIGNED_CAPSULE, POLICY }

    private InboundClassifier() {
    }

    public static InboundKind classify(byte[] value) throws VerificationException {
        return classify(value, StrictJson.SIGNED);
    }

    public static InboundKind classify(byte[] value, StrictJson.Limits limits) throws VerificationException {
        JsonNode tree = StrictJson.readTree(value, limits);
        JsonNode schema = tree.get("schema");
        if (schema != null) {
            if (!schema.isTextual() || !SignedCapsule.SCHEMA.equals(schema.textValue())) {
                throw new VerificationException(ReasonCode.MALFORMED, "unknown schema; only "
                        + SignedCapsule.SCHEMA + " or a policy envelope may cross");
            }
            SignedCapsule sc = SignedCapsule.fromTree(tree);
            sc.capsule().requirePayloadType(PayloadTypes.CAPSULE);
            for (Envelope a : sc.approvals()) {
                a.requirePayloadType(PayloadTypes.APPROVAL);
            }
            return InboundKind.SIGNED_CAPSULE;
        }
        Envelope env = Envelope.fromTree(tree);
        env.requirePayloadType(PayloadTypes.POLICY);
        return InboundKind.POLICY;
    }
}
