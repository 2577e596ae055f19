package dev.airlock.planner.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.verify.ReasonCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Reader for intake documents (SARIF, OSV, CycloneDX, service graphs). These are not signed, so they are not held to
 * {@code StrictJson}'s signed-document rules in one respect: real scanners write floating-point numbers (SARIF
 * {@code rank}, CVSS scores), which are accepted here and never copied into a signed payload. Everything else is as
 * strict: UTF-8 only, no byte order mark, duplicate keys refused at any depth, trailing data refused, bounded size and
 * depth, and strings must be storable as they are (no NUL, no lone surrogate). Every refusal names the JSON pointer of
 * the offending value.
 */
public final class IntakeJson {

    /** Intake documents up to this many bytes (a CycloneDX SBOM of a large application is a few MiB). */
    public static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
    private static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(64)
                    .build())
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private IntakeJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses a whole intake document; the root must be an object. */
    public static ObjectNode read(byte[] bytes, long maxBytes) throws IntakeException {
        if (bytes == null || bytes.length == 0) {
            throw IntakeException.malformed("", "empty document");
        }
        if (bytes.length > maxBytes) {
            throw new IntakeException(ReasonCode.TOO_LARGE, "", String.format(Locale.ROOT,
                    "document is %d bytes, limit %d", bytes.length, maxBytes));
        }
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            throw IntakeException.malformed("", "byte order mark before the document");
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw IntakeException.malformed("", "not valid UTF-8");
        }
        JsonNode tree;
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw IntakeException.malformed("", "document is not a JSON object");
            }
            try {
                tree = MAPPER.readTree(p);
                if (p.nextToken() != null) {
                    throw IntakeException.malformed("", "trailing data after the document");
                }
            } catch (StreamConstraintsException e) {
                throw new IntakeException(ReasonCode.TOO_LARGE, pointer(p.getParsingContext()), firstLine(e));
            } catch (JsonProcessingException e) {
                throw IntakeException.malformed(pointer(p.getParsingContext()), "invalid JSON: " + firstLine(e));
            }
        } catch (IntakeException e) {
            throw e;
        } catch (IOException e) {
            throw IntakeException.malformed("", "unreadable JSON: " + firstLine(e));
        }
        checkStrings(tree, "");
        return (ObjectNode) tree;
    }

    /** Strings end up in PostgreSQL text columns and in reviewers' screens: no NUL, no lone surrogate. */
    private static void checkStrings(JsonNode node, String at) throws IntakeException {
        if (node.isTextual()) {
            checkText(node.textValue(), at);
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStrings(node.get(i), at + "/" + i);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = at + "/" + escape(e.getKey());
                checkText(e.getKey(), child);
                checkStrings(e.getValue(), child);
            }
        }
    }

    private static void checkText(String s, String at) throws IntakeException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw IntakeException.malformed(at, "string contains NUL");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw IntakeException.malformed(at, "string contains a lone surrogate");
            }
        }
    }

    /** RFC 6901 escaping of one reference token. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String pointer(JsonStreamContext ctx) {
        StringBuilder sb = new StringBuilder();
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push(Integer.toString(Math.max(0, c.getCurrentIndex())));
            } else if (c.inObject() && c.getCurrentName() != null) {
                parts.push(escape(c.getCurrentName()));
            }
        }
        parts.forEach(p -> sb.append('/').append(p));
        return sb.toString();
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl >= 0 ? m.substring(0, nl) : m;
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
