package dev.airlock.approval.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A planner proposal on {@code airlock.proposals.v1} (SERVICE-CONTRACTS): the proposer-signed capsule envelope plus the
 * planner's evidence for the reviewer. Only the envelope is authority; the rest is shown to approvers and must agree
 * with the signed capsule where it repeats it (the tier).
 */
public record Proposal(Envelope capsule, String tier, Reachability reachability, List<String> tierReasoning,
                       String summary, String findingId) {
    public static final String SCHEMA = "airlock.proposal/v1";
    private static final Set<String> FIELDS = Set.of("schema", "capsule", "tier", "reachability", "tierReasoning",
            "summary", "findingId");

    public record Reachability(boolean reachable, List<String> path) {
    }

    public Proposal {
        tierReasoning = tierReasoning == null ? List.of() : List.copyOf(tierReasoning);
    }

    /**
     * Strict parse of the proposal container (duplicate keys, trailing data, unknown fields → {@code MALFORMED}). The
     * capsule payload stays opaque: it is read only once its proposer signature verified (§1 invariant 5).
     */
    public static Proposal parse(byte[] bytes) throws VerificationException {
        JsonNode tree = StrictJson.readTree(bytes, StrictJson.SIGNED);
        if (!tree.isObject()) {
            throw malformed("a proposal is a JSON object");
        }
        for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw malformed("proposal has unknown field '" + abbreviate(name) + "'");
            }
        }
        if (!SCHEMA.equals(text(tree, "schema", true))) {
            throw malformed("not an " + SCHEMA + " document");
        }
        JsonNode c = tree.get("capsule");
        if (c == null || !c.isObject()) {
            throw malformed("proposal 'capsule' is not a DSSE envelope");
        }
        Envelope capsule = Envelope.fromTree(c);
        capsule.requirePayloadType(PayloadTypes.CAPSULE);
        String tier = text(tree, "tier", true);
        Reachability reach = null;
        JsonNode r = tree.get("reachability");
        if (r != null && !r.isNull()) {
            JsonNode reachable = r.get("reachable");
            if (!r.isObject() || reachable == null || !reachable.isBoolean()) {
                throw malformed("proposal 'reachability' must be {\"reachable\": bool, \"path\": [...]}");
            }
            reach = new Reachability(reachable.booleanValue(), strings(r.get("path"), "reachability.path"));
        }
        return new Proposal(capsule, tier, reach, strings(tree.get("tierReasoning"), "tierReasoning"),
                text(tree, "summary", false), text(tree, "findingId", false));
    }

    private static String text(JsonNode tree, String field, boolean required) throws VerificationException {
        JsonNode v = tree.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw malformed("proposal field '" + field + "' is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw malformed("proposal field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static List<String> strings(JsonNode node, String what) throws VerificationException {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray() || node.size() > 256) {
            throw malformed("proposal '" + what + "' must be an array of at most 256 strings");
        }
        for (JsonNode e : node) {
            if (!e.isTextual()) {
                throw malformed("proposal '" + what + "' must contain strings only");
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static VerificationException malformed(String detail) {
        return new VerificationException(ReasonCode.MALFORMED, detail);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
