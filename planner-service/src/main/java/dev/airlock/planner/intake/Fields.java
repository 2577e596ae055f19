package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Typed field access on an intake tree; every failure names the JSON pointer of the field. */
final class Fields {
    private Fields() {
    }

    static String at(String base, String field) {
        return base + "/" + IntakeJson.escape(field);
    }

    static String at(String base, int index) {
        return base + "/" + index;
    }

    static String text(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw IntakeException.malformed(at(base, field), "required string is missing");
        }
        if (!v.isTextual()) {
            throw IntakeException.malformed(at(base, field), "must be a string");
        }
        if (v.textValue().isBlank()) {
            throw IntakeException.malformed(at(base, field), "must not be empty");
        }
        return v.textValue();
    }

    static String optText(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw IntakeException.malformed(at(base, field), "must be a string");
        }
        return v.textValue();
    }

    static JsonNode object(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw IntakeException.malformed(at(base, field), v == null ? "required object is missing"
                    : "must be an object");
        }
        return v;
    }

    static JsonNode optObject(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw IntakeException.malformed(at(base, field), "must be an object");
        }
        return v;
    }

    static JsonNode array(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw IntakeException.malformed(at(base, field), v == null ? "required array is missing"
                    : "must be an array");
        }
        return v;
    }

    static JsonNode optArray(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw IntakeException.malformed(at(base, field), "must be an array");
        }
        return v;
    }

    static List<String> optTextList(JsonNode node, String field, String base) throws IntakeException {
        JsonNode v = optArray(node, field, base);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || e.textValue().isBlank()) {
                throw IntakeException.malformed(at(at(base, field), i), "must be a non-empty string");
            }
            out.add(e.textValue());
        }
        return out;
    }

    static void requireObject(JsonNode node, String at) throws IntakeException {
        if (node == null || !node.isObject()) {
            throw IntakeException.malformed(at, "must be an object");
        }
    }
}
