package dev.airlock.core.capsule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The only value that crosses the diode besides policies (ARCHITECTURE §3.4): a capsule envelope plus its approval
 * envelopes. The container itself is unsigned; everything inside is.
 */
@JsonPropertyOrder({"schema", "capsule", "approvals"})
public record SignedCapsule(String schema, Envelope capsule, List<Envelope> approvals) {
    public static final String SCHEMA = "airlock.signed-capsule/v1";
    /** More approvals than this is a shape bomb, not a quorum (thresholds are at most 32). */
    public static final int MAX_APPROVALS = 64;

    @JsonCreator
    public SignedCapsule(@JsonProperty("schema") String schema, @JsonProperty("capsule") Envelope capsule,
                         @JsonProperty("approvals") List<Envelope> approvals) {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        if (capsule == null) {
            throw new IllegalArgumentException("capsule envelope is required");
        }
        if (approvals == null) {
            throw new IllegalArgumentException("approvals is required (may be empty)");
        }
        this.schema = schema;
        this.capsule = capsule;
        this.approvals = List.copyOf(approvals);
    }

    /** Strict parse with the given limits; the count of approvals and of signatures is bounded before binding. */
    public static SignedCapsule parse(byte[] bytes, StrictJson.Limits limits) throws VerificationException {
        JsonNode tree = StrictJson.readTree(bytes, limits);
        return fromTree(tree);
    }

    public static SignedCapsule fromTree(JsonNode tree) throws VerificationException {
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!name.equals("schema") && !name.equals("capsule") && !name.equals("approvals")) {
                throw new VerificationException(ReasonCode.MALFORMED, "signed capsule has unknown field '" + name + "'");
            }
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.isTextual() || !SCHEMA.equals(schema.textValue())) {
            throw new VerificationException(ReasonCode.MALFORMED, "not a " + SCHEMA + " document");
        }
        JsonNode capsule = tree.get("capsule");
        JsonNode approvals = tree.get("approvals");
        if (capsule == null || !capsule.isObject()) {
            throw new VerificationException(ReasonCode.MALFORMED, "capsule envelope is missing");
        }
        if (approvals == null || !approvals.isArray()) {
            throw new VerificationException(ReasonCode.MALFORMED, "approvals array is missing");
        }
        if (approvals.size() > MAX_APPROVALS) {
            throw new VerificationException(ReasonCode.TOO_LARGE, String.format(Locale.ROOT,
                    "%d approvals attached, limit %d", approvals.size(), MAX_APPROVALS));
        }
        Envelope c = Envelope.fromTree(capsule);
        List<Envelope> list = new ArrayList<>();
        for (JsonNode a : approvals) {
            if (!a.isObject()) {
                throw new VerificationException(ReasonCode.MALFORMED, "approval entry is not an envelope object");
            }
            list.add(Envelope.fromTree(a));
        }
        return new SignedCapsule(SCHEMA, c, list);
    }

    public static SignedCapsule of(Envelope capsule, List<Envelope> approvals) {
        return new SignedCapsule(SCHEMA, capsule, approvals);
    }

    public byte[] toJson() {
        return StrictJson.write(this);
    }
}
