package dev.airlock.core.crypto;

/**
 * Outcome of one signature check. Everything but {@link #VALID} is a rejection; the other values say which strict
 * pre-check refused the bytes before (or instead of) the provider call, so tests and logs can tell them apart.
 */
public enum SignatureCheck {
    VALID,
    /** Ed25519 signature not exactly 64 bytes; ECDSA DER longer than 72 bytes or shorter than 8. */
    WRONG_LENGTH,
    /** ECDSA signature not strict minimal DER (BER lengths, padding, negative integers, trailing bytes). */
    NOT_STRICT_DER,
    /** Ed25519 S ≥ L; ECDSA r or s outside [1, n-1] (includes CVE-2022-21449 r = s = 0). */
    SCALAR_OUT_OF_RANGE,
    /** ECDSA s > n/2: Airlock requires low-S so a signature has exactly one valid encoding. */
    HIGH_S,
    /** Well-formed but does not verify under this key. */
    INVALID;

    public boolean ok() {
        return this == VALID;
    }
}
