package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A relative workspace path as it appears in a manifest, a patch or a scope check: segments separated by {@code /}.
 *
 * <p>The value is validated, never normalised: a path that would need normalising is refused instead, so the string
 * signed in the capsule is exactly the path that gets touched. Unicode is not normalised either (SECURITY-TESTS B.10):
 * NFC and NFD spellings and homoglyphs are different paths, and comparison is case-sensitive.
 *
 * <p>Refused ({@link ReasonCode#SCOPE_VIOLATION}): empty; absolute ({@code /x}, {@code C:…}, {@code \\server});
 * {@code .} or {@code ..} segments; empty segments ({@code a//b}, trailing {@code /}); backslash; NUL and every other
 * control character; Unicode bidirectional controls (they make a path read differently to an approver than it is);
 * lone surrogates; percent-encoded sequences ({@code %} followed by two hex digits, e.g. {@code %2e%2e%2f});
 * a segment over {@value #MAX_SEGMENT_BYTES} or a path over {@value #MAX_PATH_BYTES} UTF-8 bytes.
 *
 * <p>Use {@link #of(String)} on untrusted input; the canonical constructor throws {@link IllegalArgumentException}
 * so that an invalid instance can never exist, but only {@code of} gives the typed verdict.
 */
public record RepoPath(String value) implements Comparable<RepoPath> {

    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;

    public RepoPath {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Validates untrusted input. */
    public static RepoPath of(String value) throws VerificationException {
        String problem = problem(value);
        if (problem != null) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, problem);
        }
        return new RepoPath(value);
    }

    /** The path's segments, in order. */
    public List<String> segments() {
        return List.of(value.split("/", -1));
    }

    /** The last segment. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    @Override
    public int compareTo(RepoPath other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Renders untrusted text for an error detail: quoted, control and format characters escaped as {@code \\uXXXX},
     * truncated, so a hostile path cannot forge log lines or hide itself behind bidi overrides.
     */
    public static String quote(String raw) {
        if (raw == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), 200) + 2).append('"');
        int limit = 200;
        for (int i = 0; i < raw.length(); i++) {
            if (out.length() > limit) {
                out.append("…");
                break;
            }
            char c = raw.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Returns why {@code value} is not a valid path, or null when it is. */
    static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "empty path";
        }
        if (value.length() > MAX_PATH_BYTES) {
            // Every char is at least one UTF-8 byte: refuse huge input before scanning it.
            return describe(value, " is longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return describe(value, " contains NUL");
            }
            if (Character.isISOControl(c)) {
                return describe(value, " contains a control character");
            }
            if (isBidiControl(c)) {
                return describe(value, " contains a bidirectional control character");
            }
            if (c == '\\') {
                return describe(value, " contains a backslash");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return describe(value, " contains a lone surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return describe(value, " contains a lone surrogate");
            }
            if (c == '%' && i + 2 < value.length() && isHex(value.charAt(i + 1)) && isHex(value.charAt(i + 2))) {
                return describe(value, " contains a percent-encoded sequence");
            }
        }
        if (value.charAt(0) == '/') {
            return describe(value, " is absolute");
        }
        if (value.length() >= 2 && value.charAt(1) == ':' && isAsciiLetter(value.charAt(0))) {
            // "C:x" and "C:/x" are drive paths on Windows; a policy must not depend on the host OS to be safe.
            return describe(value, " is absolute (drive letter)");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return describe(value, " is longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                return describe(value, " has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return describe(value, " has a '" + segment + "' segment");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                return describe(value, " has a segment longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        return null;
    }

    private static String describe(String value, String what) {
        return "path " + quote(value) + what;
    }

    static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
