package dev.airlock.runner.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Shape checks for documents arriving on a topic (ARCHITECTURE §3, §4), run on the strictly parsed envelope and
 * never on an unverified DSSE payload (§1 invariant 5: the payload stays base64 until its signatures are checked).
 * Every failure is {@link ReasonCode#MALFORMED}.
 */
final class Documents {

    static final String PAYLOAD_POLICY = "application/vnd.airlock.policy.v1+json";
    static final String PAYLOAD_CAPSULE = "application/vnd.airlock.capsule.v1+json";
    static final String PAYLOAD_APPROVAL = "application/vnd.airlock.approval.v1+json";
    static final String PAYLOAD_IN_TOTO = "application/vnd.in-toto+json";
    static final String SCHEMA_SIGNED_CAPSULE = "airlock.signed-capsule/v1";

    private static final Set<String> DSSE_FIELDS = Set.of("payloadType", "payload", "signatures");
    private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

    private Documents() {
    }

    /** The required text field {@code field} of {@code node}. */
    static String text(JsonNode node, String field, String what) throws VerificationException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw malformed("%s: field '%s' must be a string", what, field);
        }
        return value.asText();
    }

    /** The {@code schema} of a document, which must be one of {@code accepted}. */
    static String requireSchema(JsonNode document, Set<String> accepted, String what) throws VerificationException {
        String schema = text(document, "schema", what);
        if (!accepted.contains(schema)) {
            throw malformed("%s: schema '%s' is not accepted here", what, abbreviate(schema));
        }
        return schema;
    }

    /** Fails when {@code node} has a field outside {@code allowed} (unknown fields are refused, not ignored). */
    static void requireOnlyFields(JsonNode node, Set<String> allowed, String what) throws VerificationException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw malformed("%s: unknown field '%s'", what, abbreviate(name));
            }
        }
    }

    /**
     * A DSSE v1 envelope ({@code payloadType}, base64 {@code payload}, {@code signatures[{keyid?, sig}]}) whose
     * payloadType is {@code payloadType}. Signatures are not verified here; that is the engine's job.
     */
    static void requireDsse(JsonNode envelope, String payloadType, String what) throws VerificationException {
        if (envelope == null || !envelope.isObject()) {
            throw malformed("%s: not a DSSE envelope", what);
        }
        requireOnlyFields(envelope, DSSE_FIELDS, what);
        String type = text(envelope, "payloadType", what);
        if (!type.equals(payloadType)) {
            throw malformed("%s: payloadType '%s' is not accepted here", what, abbreviate(type));
        }
        requireBase64(text(envelope, "payload", what), what + " payload");
        JsonNode signatures = envelope.get("signatures");
        if (signatures == null || !signatures.isArray()) {
            throw malformed("%s: field 'signatures' must be an array", what);
        }
        for (JsonNode signature : signatures) {
            if (!signature.isObject()) {
                throw malformed("%s: a signature must be an object", what);
            }
            requireOnlyFields(signature, SIGNATURE_FIELDS, what + " signature");
            requireBase64(text(signature, "sig", what + " signature"), what + " signature");
            if (signature.has("keyid")) {
                text(signature, "keyid", what + " signature");
            }
        }
    }

    private static void requireBase64(String value, String what) throws VerificationException {
        try {
            Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException standard) {
            try {
                Base64.getUrlDecoder().decode(value);
            } catch (IllegalArgumentException urlSafe) {
                throw malformed("%s: bad base64", what);
            }
        }
    }

    static VerificationException malformed(String format, Object... args) {
        return new VerificationException(ReasonCode.MALFORMED, String.format(Locale.ROOT, format, args));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
