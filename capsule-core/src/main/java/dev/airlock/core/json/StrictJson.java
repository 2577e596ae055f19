package dev.airlock.core.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one JSON reader of Airlock's trust code (ARCHITECTURE §1 invariant 5). Everything that parses a document that
 * crossed a trust boundary goes through here:
 * <ul>
 * <li>size first ({@link ReasonCode#TOO_LARGE}), before a single token is read;</li>
 * <li>strict UTF-8 (no BOM, no overlong forms, no encoded surrogates) and no lone surrogate escapes;</li>
 * <li>duplicate keys at any depth, trailing data, comments, NaN/Infinity, trailing commas, floating-point numbers
 * ({@link ReasonCode#MALFORMED});</li>
 * <li>nesting depth and element counts bounded in a streaming pre-pass, so a shape bomb costs bounded memory and time
 * ({@link ReasonCode#TOO_LARGE}).</li>
 * </ul>
 * Records are bound with unknown properties and scalar coercions refused.
 */
public final class StrictJson {

    /** Limits for one read. Signed payloads use {@link #SIGNED}; larger intake documents (SARIF, SBOM) pass their own. */
    public record Limits(long maxBytes, int maxDepth, int maxElements) {
        public Limits {
            if (maxBytes <= 0 || maxDepth <= 0 || maxElements <= 0) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }

        public Limits withMaxBytes(long bytes) {
            return new Limits(bytes, maxDepth, maxElements);
        }
    }

    /** Default limits for signed documents: 4 MiB (the policy default {@code maxCapsuleBytes}), depth 32, 10,000 elements. */
    public static final Limits SIGNED = new Limits(4L * 1024 * 1024, 32, 10_000);

    private static final Pattern RFC3339_UTC =
            Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$");

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(256)
                    .maxNumberLength(24)
                    .build())
            .build();

    private static final ObjectMapper MAPPER = buildMapper();

    private StrictJson() {
    }

    private static ObjectMapper buildMapper() {
        SimpleModule time = new SimpleModule("airlock-rfc3339");
        time.addDeserializer(Instant.class, new InstantDeserializer());
        time.addSerializer(Instant.class, new InstantSerializer());
        JsonMapper mapper = JsonMapper.builder(FACTORY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .addModule(time)
                .build();
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer,
                LogicalType.Float, LogicalType.Enum, LogicalType.DateTime}) {
            mapper.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String,
                            t == LogicalType.Textual || t == LogicalType.Enum || t == LogicalType.DateTime
                                    ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
        }
        return mapper;
    }

    /** The configured mapper, for writing documents and for services that bind already-validated trees. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Checks raw bytes against every rule of this class without building anything.
     *
     * @throws VerificationException {@code TOO_LARGE} or {@code MALFORMED}
     */
    public static void validate(byte[] bytes, Limits limits) throws VerificationException {
        if (bytes == null) {
            throw new VerificationException(ReasonCode.MALFORMED, "no document");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new VerificationException(ReasonCode.TOO_LARGE,
                    String.format(Locale.ROOT, "document is %d bytes, limit %d", bytes.length, limits.maxBytes()));
        }
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            throw new VerificationException(ReasonCode.MALFORMED, "byte order mark before the document");
        }
        // Checked on the raw bytes before Jackson decodes them: Jackson's UTF-8 decoding accepts overlong forms
        // (C0 80 reaches a string as U+0000), so it cannot be the check.
        if (!Utf8.isWellFormed(bytes)) {
            throw new VerificationException(ReasonCode.MALFORMED, "not valid UTF-8");
        }
        try (JsonParser p = FACTORY.createParser(bytes)) {
            // A string's text is needed only for the lone-surrogate rule and for Jackson's string-length limit. In
            // well-formed UTF-8 (checked above) a surrogate can only come from a backslash-u escape, and the
            // backslash byte never occurs inside a multi-byte sequence: without the two bytes backslash, 'u' next to
            // each other the document has no such escape. (An escaped backslash before a 'u' has them too; such a
            // document is only checked the slow way.) Other escapes only shorten a string, so none is longer than a
            // document within the limit. Then strings are skipped as Jackson skips an unread value (scanning the
            // bytes, still refusing unescaped control characters and unknown escapes) instead of being built as text:
            // neither the base64 payload of a 1 MB capsule (about 9 MB of text buffers, 2026-11-27) nor its patch (a
            // string full of \n escapes) is built here.
            boolean buildStrings = bytes.length > p.streamReadConstraints().getMaxStringLength()
                    || hasUnicodeEscape(bytes);
            scan(p, limits, buildStrings);
        } catch (StreamConstraintsException e) {
            throw new VerificationException(ReasonCode.TOO_LARGE, "document exceeds parser limits: " + firstLine(e));
        } catch (JsonProcessingException e) {
            throw new VerificationException(ReasonCode.MALFORMED, "invalid JSON: " + firstLine(e));
        } catch (IOException e) {
            throw new VerificationException(ReasonCode.MALFORMED, "unreadable JSON: " + firstLine(e));
        }
    }

    /** Whether a backslash byte is directly followed by a 'u' byte anywhere in {@code bytes}. */
    static boolean hasUnicodeEscape(byte[] bytes) {
        for (int i = 0, end = bytes.length - 1; i < end; i++) {
            if (bytes[i] == '\\' && bytes[i + 1] == 'u') {
                return true;
            }
        }
        return false;
    }

    private static void scan(JsonParser p, Limits limits, boolean buildStrings)
            throws IOException, VerificationException {
        ScalarValueCheck text = new ScalarValueCheck();
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new VerificationException(ReasonCode.MALFORMED, "document is not a JSON object");
        }
        int depth = 0;
        long elements = 0;
        JsonToken t = first;
        while (t != null) {
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    depth++;
                    if (depth > limits.maxDepth()) {
                        throw new VerificationException(ReasonCode.TOO_LARGE,
                                String.format(Locale.ROOT, "nesting deeper than %d", limits.maxDepth()));
                    }
                }
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME -> {
                    // The name String exists already (Jackson's symbol table); nothing is built for it here.
                    text.reset().write(p.currentName());
                    text.requireScalarValues();
                }
                case VALUE_STRING -> {
                    if (!buildStrings) {
                        break; // the next nextToken() skips it (see validate)
                    }
                    // getText() would build a String of the whole value (a capsule's 1.4 MB base64 payload) only to
                    // look at it, and getTextCharacters() would join Jackson's 64K-char segments into one array;
                    // getText(Writer) hands over the segments themselves.
                    int length = p.getText(text.reset());
                    // getText() enforced the parser's string-length limit while joining the segments; keep it, so a
                    // too-long string is still TOO_LARGE here and not MALFORMED later in readTree.
                    p.streamReadConstraints().validateStringLength(length);
                    text.requireScalarValues();
                }
                case VALUE_NUMBER_FLOAT -> throw new VerificationException(ReasonCode.MALFORMED,
                        "floating-point number at " + p.getParsingContext().pathAsPointer()
                                + " (signed documents carry decimals as strings)");
                default -> {
                    // scalars without text checks
                }
            }
            if (t.isScalarValue() || t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                if (++elements > limits.maxElements()) {
                    throw new VerificationException(ReasonCode.TOO_LARGE,
                            String.format(Locale.ROOT, "more than %d JSON values", limits.maxElements()));
                }
            }
            if (depth == 0) {
                break;
            }
            t = p.nextToken();
        }
        if (p.nextToken() != null) {
            throw new VerificationException(ReasonCode.MALFORMED, "trailing data after the document");
        }
    }

    /** Validates, then returns the tree. The root is always an object. */
    public static JsonNode readTree(byte[] bytes, Limits limits) throws VerificationException {
        validate(bytes, limits);
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new VerificationException(ReasonCode.MALFORMED, "invalid JSON: " + firstLine(e));
        }
    }

    /** Validates, then binds to {@code type} (a record validated in its constructor). */
    public static <T> T read(byte[] bytes, Class<T> type, Limits limits) throws VerificationException {
        validate(bytes, limits);
        try {
            return MAPPER.readValue(bytes, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new VerificationException(ReasonCode.MALFORMED,
                    type.getSimpleName() + ": " + firstLine(cause) + pointer(e));
        } catch (IOException e) {
            throw new VerificationException(ReasonCode.MALFORMED, type.getSimpleName() + ": " + firstLine(e));
        }
    }

    /** Binds an already-validated tree. */
    public static <T> T treeToValue(JsonNode node, Class<T> type) throws VerificationException {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new VerificationException(ReasonCode.MALFORMED,
                    type.getSimpleName() + ": " + firstLine(cause) + pointer(e));
        } catch (IOException | IllegalArgumentException e) {
            throw new VerificationException(ReasonCode.MALFORMED, type.getSimpleName() + ": " + firstLine(e));
        }
    }

    /** Serialises a value (records in declaration order, nulls omitted unless a record says otherwise). */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Pretty-printed form for files people read (policies, capsules on disk). */
    public static byte[] writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses an RFC 3339 UTC timestamp ({@code 2026-11-25T10:00:00Z}); offsets other than {@code Z} are refused. */
    public static Instant parseInstant(String text) {
        if (text == null || !RFC3339_UTC.matcher(text).matches()) {
            throw new IllegalArgumentException("not an RFC 3339 UTC timestamp: " + abbreviate(text));
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an RFC 3339 UTC timestamp: " + abbreviate(text), e);
        }
    }

    public static String formatInstant(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    private static String pointer(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder(" at ");
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                sb.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            return sb.toString();
        }
        return "";
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl >= 0 ? m.substring(0, nl) : m;
        return abbreviate(line);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static final class InstantDeserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            try {
                return parseInstant(p.getText());
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(p.getText(), Instant.class, e.getMessage());
            }
        }
    }

    private static final class InstantSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(formatInstant(value));
        }
    }
}
