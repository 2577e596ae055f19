package dev.airlock.core.json;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Small constructor-validation helpers for the document records. They throw {@link IllegalArgumentException}s, which
 * {@link StrictJson} reports as {@code MALFORMED} with the record name and JSON path. */
public final class Checks {
    private static final Pattern IDENT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$");

    private Checks() {
    }

    public static String required(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (value.length() > 65_536) {
            throw new IllegalArgumentException(field + " is too long");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                throw new IllegalArgumentException(field + " contains a control character");
            }
        }
        return value;
    }

    /** Identifiers (principal ids, capsule ids, environment names, roles): printable ASCII, no spaces, ≤ 128 chars. */
    public static String ident(String value, String field) {
        if (value == null || !IDENT.matcher(value).matches()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s must be 1-128 characters of [A-Za-z0-9._:@/+-] starting with a letter or digit", field));
        }
        return value;
    }

    public static String oneOf(String value, String field, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw new IllegalArgumentException(field + " must be one of " + new java.util.TreeSet<>(allowed));
        }
        return value;
    }

    public static <T> List<T> list(List<T> value, String field, int min, int max) {
        if (value == null) {
            if (min > 0) {
                throw new IllegalArgumentException(field + " is required");
            }
            return List.of();
        }
        if (value.size() < min || value.size() > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must have %d to %d entries", field, min, max));
        }
        for (T t : value) {
            if (t == null) {
                throw new IllegalArgumentException(field + " contains null");
            }
        }
        return List.copyOf(value);
    }

    public static void unique(Collection<String> values, String field) {
        if (new java.util.HashSet<>(values).size() != values.size()) {
            throw new IllegalArgumentException(field + " contains duplicates");
        }
    }

    public static long positive(long value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive");
        }
        return value;
    }
}
