package dev.airlock.core.patch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Git's C-style path quoting ({@code quote.c quote_c_style}, with the default {@code core.quotePath=true}): a name
 * with a byte below 0x20, {@code "}, {@code \}, DEL or any byte of 0x80 and up is written in double quotes with
 * {@code \a \b \t \n \v \f \r \" \\} and three-digit octal escapes for the rest.
 */
final class GitQuoting {

    private GitQuoting() {
    }

    /** A decoded quoted name and the index just after its closing quote. */
    record Unquoted(String value, int end) {
    }

    /** Decodes the quoted string starting at {@code s.charAt(start) == '"'}; null when it is not valid. */
    static Unquoted unquote(String s, int start) {
        if (start >= s.length() || s.charAt(start) != '"') {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                String value = decodeUtf8(bytes.toByteArray());
                return value == null ? null : new Unquoted(value, i + 1);
            }
            if (c != '\\') {
                int cp = s.codePointAt(i);
                if (Character.isSurrogate(c) && Character.charCount(cp) == 1) {
                    return null; // lone surrogate
                }
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            if (++i >= s.length()) {
                return null;
            }
            char e = s.charAt(i);
            switch (e) {
                case 'a' -> bytes.write(0x07);
                case 'b' -> bytes.write(0x08);
                case 't' -> bytes.write('\t');
                case 'n' -> bytes.write('\n');
                case 'v' -> bytes.write(0x0b);
                case 'f' -> bytes.write(0x0c);
                case 'r' -> bytes.write('\r');
                case '"' -> bytes.write('"');
                case '\\' -> bytes.write('\\');
                default -> {
                    if (e < '0' || e > '3' || i + 2 >= s.length() || !isOctal(s.charAt(i + 1))
                            || !isOctal(s.charAt(i + 2))) {
                        return null;
                    }
                    bytes.write((e - '0') << 6 | (s.charAt(i + 1) - '0') << 3 | (s.charAt(i + 2) - '0'));
                    i += 2;
                }
            }
            i++;
        }
        return null; // no closing quote
    }

    /** The name as git writes it in headers: unchanged, or quoted when it holds a byte git quotes. */
    static String quote(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        boolean needed = false;
        for (byte b : utf8) {
            if (needsQuoting(b & 0xff)) {
                needed = true;
                break;
            }
        }
        if (!needed) {
            return name;
        }
        StringBuilder out = new StringBuilder(utf8.length + 8).append('"');
        for (byte raw : utf8) {
            int b = raw & 0xff;
            switch (b) {
                case 0x07 -> out.append("\\a");
                case 0x08 -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case 0x0b -> out.append("\\v");
                case 0x0c -> out.append("\\f");
                case '\r' -> out.append("\\r");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (needsQuoting(b)) {
                        out.append('\\').append((char) ('0' + (b >> 6))).append((char) ('0' + ((b >> 3) & 7)))
                                .append((char) ('0' + (b & 7)));
                    } else {
                        out.append((char) b);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static boolean needsQuoting(int b) {
        return b < 0x20 || b == '"' || b == '\\' || b == 0x7f || b >= 0x80;
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
