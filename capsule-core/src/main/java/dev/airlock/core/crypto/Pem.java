package dev.airlock.core.crypto;

import java.util.Base64;
import java.util.Locale;

/** Minimal strict PEM reader/writer for the two key file kinds of ARCHITECTURE §2 (PKCS#8 and SubjectPublicKeyInfo). */
final class Pem {
    static final String PRIVATE = "PRIVATE KEY";
    static final String PUBLIC = "PUBLIC KEY";

    private Pem() {
    }

    static byte[] decode(String pem, String label) throws KeyFormatException {
        if (pem == null) {
            throw new KeyFormatException("no PEM text");
        }
        String text = pem.strip();
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        if (!text.startsWith(begin)) {
            String found = text.startsWith("-----BEGIN ") ? text.substring(0, Math.min(text.indexOf('\n') < 0
                    ? text.length() : text.indexOf('\n'), 60)) : "no PEM header";
            throw new KeyFormatException(String.format(Locale.ROOT, "expected a PEM '%s' block, found %s", label, found));
        }
        int endAt = text.indexOf(end);
        if (endAt < 0) {
            throw new KeyFormatException("PEM block has no END line");
        }
        if (!text.substring(endAt + end.length()).isBlank()) {
            throw new KeyFormatException("data after the PEM END line");
        }
        String body = text.substring(begin.length(), endAt).replaceAll("[\\r\\n\\t ]", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            if (!Base64.getEncoder().encodeToString(der).equals(body)) {
                throw new KeyFormatException("PEM body is not canonical base64");
            }
            return der;
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("PEM body is not base64");
        }
    }

    static String encode(byte[] der, String label) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }
}
