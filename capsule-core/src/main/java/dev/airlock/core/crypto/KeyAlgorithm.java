package dev.airlock.core.crypto;

import java.util.Locale;

/** The two signature algorithms Airlock accepts (ARCHITECTURE §2). */
public enum KeyAlgorithm {
    /** Ed25519 (RFC 8032), the default. Signatures are exactly 64 bytes. */
    ED25519("ed25519"),
    /** ECDSA over P-256 with SHA-256, for PIV/HSM keys. Signatures are strict DER, low-S. */
    ECDSA_P256("p256");

    private final String cliName;

    KeyAlgorithm(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line ({@code --alg ed25519|p256}). */
    public String cliName() {
        return cliName;
    }

    public static KeyAlgorithm fromCliName(String name) {
        for (KeyAlgorithm a : values()) {
            if (a.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + name + "' (expected ed25519 or p256)");
    }
}
