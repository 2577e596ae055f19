package dev.airlock.runner.domain;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * File names for capsule ids. A capsule id may contain {@code /} and {@code :} ({@code Checks.ident}), so it is never
 * used as a path as it is: every byte outside {@code [A-Za-z0-9.-]} becomes {@code _xx} (lowercase hex), which is
 * injective, reversible and cannot spell {@code .} or {@code ..} (an id starts with a letter or digit).
 */
public final class FileNames {
    private FileNames() {
    }

    public static String encode(String id) {
        StringBuilder out = new StringBuilder(id.length() + 8);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                out.append((char) c);
            } else {
                out.append('_').append(String.format(Locale.ROOT, "%02x", c));
            }
        }
        return out.toString();
    }

    /** The id a name was encoded from, or null when the name is not an encoding. */
    public static String decode(String name) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                if (i + 2 >= name.length()) {
                    return null;
                }
                try {
                    out.write(Integer.parseInt(name.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    return null;
                }
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                return null;
            }
        }
        String id = out.toString(StandardCharsets.UTF_8);
        return encode(id).equals(name) ? id : null;
    }
}
