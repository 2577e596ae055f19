package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A scope pattern from a policy, matched segment by segment against a {@link RepoPath}:
 * <ul>
 * <li>{@code **} as a whole segment matches any number of segments, including zero
 * ({@code **}{@code /.git/**} matches {@code .git/config} and {@code a/b/.git/hooks/x});</li>
 * <li>{@code *} matches any run of characters within one segment (never {@code /}), including the empty run and
 * names starting with a dot;</li>
 * <li>{@code ?} matches exactly one character (one Unicode code point) within a segment;</li>
 * <li>everything else matches itself, case-sensitively, without Unicode normalisation.</li>
 * </ul>
 * Patterns are validated when compiled, so a policy with a bad pattern is refused at load
 * ({@link ReasonCode#POLICY_INVALID}) rather than silently matching nothing (or everything). Refused: empty, absolute,
 * {@code .}/{@code ..}/empty segments, backslash, control characters, percent-encoded sequences, {@code **} mixed into
 * a segment ({@code a**}), and the bracket/brace syntax of other glob dialects ({@code [ab]}, {@code {a,b}}), which
 * would otherwise be read literally and make a deny rule quietly ineffective.
 */
public final class Glob {

    private static final String ANY_SEGMENTS = "**";

    private final String pattern;
    /** One entry per segment: null for {@code **}, else the segment's code points (with '*' and '?' as wildcards). */
    private final int[][] segments;

    private Glob(String pattern, int[][] segments) {
        this.pattern = pattern;
        this.segments = segments;
    }

    /** Compiles a policy pattern; {@link ReasonCode#POLICY_INVALID} when it is not one. */
    public static Glob compile(String pattern) throws VerificationException {
        String problem = problem(pattern);
        if (problem != null) {
            throw new VerificationException(ReasonCode.POLICY_INVALID,
                    "scope pattern " + RepoPath.quote(pattern) + " " + problem);
        }
        String[] parts = pattern.split("/", -1);
        int[][] segments = new int[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            segments[i] = parts[i].equals(ANY_SEGMENTS) ? null : parts[i].codePoints().toArray();
        }
        return new Glob(pattern, segments);
    }

    public String pattern() {
        return pattern;
    }

    /** Whether the whole path matches the whole pattern. */
    public boolean matches(RepoPath path) {
        Objects.requireNonNull(path, "path");
        List<String> parts = path.segments();
        int n = parts.size();
        int[][] names = new int[n][];
        for (int j = 0; j < n; j++) {
            names[j] = parts.get(j).codePoints().toArray();
        }
        // DP over segments: reach[j] = the first i pattern segments can match the first j path segments.
        // O(pattern segments × path segments) segment comparisons; no backtracking blow-up.
        boolean[] reach = new boolean[n + 1];
        reach[0] = true;
        for (int[] seg : segments) {
            boolean[] next = new boolean[n + 1];
            if (seg == null) {
                boolean any = false;
                for (int j = 0; j <= n; j++) {
                    any |= reach[j];
                    next[j] = any;
                }
            } else {
                for (int j = 1; j <= n; j++) {
                    next[j] = reach[j - 1] && segmentMatches(seg, names[j - 1]);
                }
            }
            reach = next;
        }
        return reach[n];
    }

    /** Wildcard match of one segment; iterative with single-star backtracking, O(p·s) worst case. */
    static boolean segmentMatches(int[] p, int[] s) {
        int pi = 0;
        int si = 0;
        int starP = -1;
        int starS = 0;
        while (si < s.length) {
            if (pi < p.length && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si]))) {
                pi++;
                si++;
            } else if (pi < p.length && p[pi] == '*') {
                starP = pi++;
                starS = si;
            } else if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    private static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "is empty";
        }
        if (pattern.length() > RepoPath.MAX_PATH_BYTES
                || pattern.getBytes(StandardCharsets.UTF_8).length > RepoPath.MAX_PATH_BYTES) {
            return "is longer than " + RepoPath.MAX_PATH_BYTES + " bytes";
        }
        if (pattern.charAt(0) == '/') {
            return "is absolute";
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (Character.isISOControl(c) || RepoPath.isBidiControl(c)) {
                return "contains a control character";
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < pattern.length()
                        && Character.isLowSurrogate(pattern.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains a lone surrogate";
            }
            switch (c) {
                case '\\':
                    return "contains a backslash";
                case '[':
                case ']':
                case '{':
                case '}':
                    return "uses unsupported glob syntax '" + c + "' (only *, ? and ** are supported)";
                case '%':
                    if (i + 2 < pattern.length() && isHex(pattern.charAt(i + 1)) && isHex(pattern.charAt(i + 2))) {
                        return "contains a percent-encoded sequence";
                    }
                    break;
                default:
                    break;
            }
        }
        if (pattern.length() >= 2 && pattern.charAt(1) == ':' && Character.isLetter(pattern.charAt(0))
                && pattern.charAt(0) < 128) {
            return "is absolute (drive letter)";
        }
        for (String segment : pattern.split("/", -1)) {
            if (segment.isEmpty()) {
                return "has an empty segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "has a '" + segment + "' segment";
            }
            if (!segment.equals(ANY_SEGMENTS) && segment.contains(ANY_SEGMENTS)) {
                return "uses ** inside a segment (** must be a whole segment)";
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > RepoPath.MAX_SEGMENT_BYTES) {
                return "has a segment longer than " + RepoPath.MAX_SEGMENT_BYTES + " bytes";
            }
        }
        return null;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
