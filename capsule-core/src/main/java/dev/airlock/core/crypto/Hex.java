package dev.airlock.core.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and lowercase hex helpers; digests are written {@code sha256:<hex>} (ARCHITECTURE §2). */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        return HEX.parseHex(hex);
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public static String sha256Hex(byte[] data) {
        return encode(sha256(data));
    }

    /** {@code sha256:} + lowercase hex of SHA-256 over {@code data}. */
    public static String digest(byte[] data) {
        return "sha256:" + sha256Hex(data);
    }

    /** True if {@code s} is {@code sha256:} followed by exactly 64 lowercase hex characters. */
    public static boolean isDigest(String s) {
        if (s == null || s.length() != 71 || !s.startsWith("sha256:")) {
            return false;
        }
        for (int i = 7; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
