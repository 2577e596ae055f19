package dev.airlock.diode.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Interim shape check on {@link StrictJson} until capsule-core's {@code InboundClassifier} lands on main; the bridge
 * switches to that one then (one engine, ARCHITECTURE §5).
 */
public final class ShapeClassifier implements ValueClassifier {
    static final String CAPSULE_TYPE = "application/vnd.airlock.capsule.v1+json";
    static final String APPROVAL_TYPE = "application/vnd.airlock.approval.v1+json";
    static final String POLICY_TYPE = "application/vnd.airlock.policy.v1+json";

    private final StrictJson.Limits limits;

    public ShapeClassifier(long maxBytes) {
        this.limits = StrictJson.SIGNED.withMaxBytes(maxBytes);
    }

    @Override
    public Kind classify(byte[] value) throws VerificationException {
        JsonNode root = StrictJson.readTree(value, limits);
        if (root.has("schema")) {
            if (!"airlock.signed-capsule/v1".equals(root.get("schema").asText(null)) || !root.get("schema").isTextual()) {
                throw new VerificationException(ReasonCode.MALFORMED, "unknown schema");
            }
            onlyFields(root, Set.of("schema", "capsule", "approvals"), "signed capsule");
            dsse(root.get("capsule"), CAPSULE_TYPE, "capsule");
            JsonNode approvals = root.get("approvals");
            if (approvals == null || !approvals.isArray()) {
                throw new VerificationException(ReasonCode.MALFORMED, "approvals is not an array");
            }
            for (JsonNode a : approvals) {
                dsse(a, APPROVAL_TYPE, "approval");
            }
            return Kind.SIGNED_CAPSULE;
        }
        dsse(root, POLICY_TYPE, "policy");
        return Kind.POLICY;
    }

    private static void dsse(JsonNode n, String payloadType, String what) throws VerificationException {
        if (n == null || !n.isObject()) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not a DSSE envelope");
        }
        onlyFields(n, Set.of("payloadType", "payload", "signatures"), what);
        JsonNode type = n.get("payloadType");
        if (type == null || !type.isTextual() || !payloadType.equals(type.asText())) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " has an unexpected payloadType");
        }
        base64(n.get("payload"), what + " payload");
        JsonNode sigs = n.get("signatures");
        if (sigs == null || !sigs.isArray() || sigs.isEmpty()) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " has no signatures");
        }
        for (JsonNode s : sigs) {
            if (!s.isObject()) {
                throw new VerificationException(ReasonCode.MALFORMED, what + " signature is not an object");
            }
            onlyFields(s, Set.of("keyid", "sig"), what + " signature");
            if (s.has("keyid") && !s.get("keyid").isTextual()) {
                throw new VerificationException(ReasonCode.MALFORMED, what + " keyid is not a string");
            }
            base64(s.get("sig"), what + " sig");
        }
    }

    private static void base64(JsonNode n, String what) throws VerificationException {
        if (n == null || !n.isTextual()) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not a string");
        }
        try {
            Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(ReasonCode.MALFORMED, what + " is not base64");
        }
    }

    private static void onlyFields(JsonNode n, Set<String> allowed, String what) throws VerificationException {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new VerificationException(ReasonCode.MALFORMED,
                        String.format(Locale.ROOT, "%s has an unknown field", what));
            }
        }
    }
}
