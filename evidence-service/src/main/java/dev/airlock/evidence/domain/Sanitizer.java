package dev.airlock.evidence.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.crypto.Hex;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The fail-closed sanitized projection of an in-toto Statement (ARCHITECTURE §3.1 {@code egress.mode: sanitized}).
 *
 * <p>Kept in clear: {@code _type}, {@code subject}, {@code predicateType}, {@code predicate.capsuleId}, and every value
 * under a JSON pointer (RFC 6901) of {@code sanitizedAllow}, where a {@code *} segment matches any one key or array
 * index and a pointer to an object or array keeps all of it. Everything else: every scalar (string, number, boolean,
 * null) anywhere else in the statement is replaced by {@code {"redacted":"sha256:<hex>"}}, the SHA-256 of the value's
 * RFC 8785 (JCS) serialisation, so a holder of the original can match it and nobody else learns it. Object keys and
 * array lengths stay visible: they are the schema's, not the run's. Unknown fields are redacted like any other.
 */
public final class Sanitizer {
    private static final Set<String> CLEAR_TOP = Set.of("_type", "subject", "predicateType");
    private static final List<String> ALWAYS = List.of("/predicate/capsuleId");

    private final List<String[]> patterns = new ArrayList<>();

    public Sanitizer(List<String> sanitizedAllow) {
        for (String p : sanitizedAllow) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("sanitizedAllow entries are JSON pointers starting with '/'");
            }
            patterns.add(p.substring(1).split("/", -1));
        }
        for (String p : ALWAYS) {
            patterns.add(p.substring(1).split("/", -1));
        }
    }

    public ObjectNode sanitize(JsonNode statement) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> it = statement.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (CLEAR_TOP.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue().deepCopy());
            } else {
                List<String> path = new ArrayList<>();
                path.add(escape(e.getKey()));
                out.set(e.getKey(), walk(e.getValue(), path));
            }
        }
        return out;
    }

    private JsonNode walk(JsonNode node, List<String> path) {
        if (allowed(path)) {
            return node.deepCopy();
        }
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                path.add(escape(e.getKey()));
                o.set(e.getKey(), walk(e.getValue(), path));
                path.remove(path.size() - 1);
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                path.add(Integer.toString(i));
                a.add(walk(node.get(i), path));
                path.remove(path.size() - 1);
            }
            return a;
        }
        return redacted(node);
    }

    /** A pattern allows a path when it is a prefix of it, segment by segment ({@code *} matching any segment). */
    private boolean allowed(List<String> path) {
        outer:
        for (String[] p : patterns) {
            if (p.length > path.size()) {
                continue;
            }
            for (int i = 0; i < p.length; i++) {
                if (!p[i].equals("*") && !p[i].equals(path.get(i))) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    public static ObjectNode redacted(JsonNode scalar) {
        return JsonNodeFactory.instance.objectNode().put("redacted",
                "sha256:" + Hex.sha256Hex(jcs(scalar).getBytes(StandardCharsets.UTF_8)));
    }

    /** RFC 8785 serialisation of a scalar (signed payloads carry no floating-point numbers, ARCHITECTURE §2). */
    static String jcs(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "true" : "false";
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            return v.decimalValue().stripTrailingZeros().toPlainString();
        }
        String s = v.asText();
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
