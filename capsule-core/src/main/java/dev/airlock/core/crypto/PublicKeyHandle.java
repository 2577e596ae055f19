package dev.airlock.core.crypto;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * A public key Airlock trusts for one of its two algorithms, decoded once and validated fully:
 * Ed25519 keys must be canonical points of large order (small-order keys are refused, SECURITY-TESTS A.4); P-256
 * keys must be valid points on the curve. Identity is the canonical SubjectPublicKeyInfo DER, so the same key in another
 * encoding (a compressed EC point, a second keyid) is still the same key.
 *
 * <p>All checks of {@link #check} run on the raw bytes before any provider call: exact lengths, strict DER, scalar
 * ranges, low-S; only then BouncyCastle's arithmetic (never the JDK's SunEC, ARCHITECTURE §2).
 */
public final class PublicKeyHandle {
    static final ECDomainParameters P256 = Curves.P256;
    /** Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
    private static final BigInteger ED25519_L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));

    private final KeyAlgorithm algorithm;
    private final byte[] spki;
    private final String keyid;
    private final Ed25519.PublicPoint edPoint;
    private final ECPublicKeyParameters ecKey;

    private PublicKeyHandle(KeyAlgorithm algorithm, byte[] spki, Ed25519.PublicPoint edPoint, ECPublicKeyParameters ecKey) {
        this.algorithm = algorithm;
        this.spki = spki;
        this.keyid = Hex.sha256Hex(spki);
        this.edPoint = edPoint;
        this.ecKey = ecKey;
    }

    /** Reads a {@code -----BEGIN PUBLIC KEY-----} (SubjectPublicKeyInfo) PEM. */
    public static PublicKeyHandle fromPem(String pem) throws KeyFormatException {
        return fromSpki(Pem.decode(pem, Pem.PUBLIC));
    }

    /** Decodes and fully validates a DER SubjectPublicKeyInfo. */
    public static PublicKeyHandle fromSpki(byte[] der) throws KeyFormatException {
        if (der == null || der.length == 0) {
            throw new KeyFormatException("no public key");
        }
        AlgorithmIdentifier alg;
        ASN1ObjectIdentifier oid;
        byte[] raw;
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(der);
            if (info == null || !Arrays.equals(info.getEncoded(ASN1Encoding.DER), der)) {
                throw new KeyFormatException("public key is not strict DER SubjectPublicKeyInfo");
            }
            alg = info.getAlgorithm();
            oid = alg.getAlgorithm();
            // Checked before getOctets(), which refuses non-octet-aligned bit strings with an IllegalStateException.
            if (info.getPublicKeyData().getPadBits() != 0) {
                throw new KeyFormatException("public key bit string has padding bits");
            }
            raw = info.getPublicKeyData().getOctets();
        } catch (IOException | RuntimeException e) {
            // BouncyCastle's ASN.1 layer reports malformed input as IllegalArgumentException, IllegalStateException
            // (ASN1ParsingException, "unexpected object"), ClassCastException or NullPointerException depending on
            // where the structure breaks: all of them are the same refusal of untrusted bytes.
            throw new KeyFormatException("public key is not a SubjectPublicKeyInfo", e);
        }
        if (Curves.ID_ED25519.equals(oid)) {
            if (alg.getParameters() != null) {
                throw new KeyFormatException("Ed25519 key must not carry algorithm parameters (RFC 8410 §3)");
            }
            return ed25519(raw);
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            if (!(alg.getParameters() instanceof ASN1ObjectIdentifier curve)
                    || !(SECObjectIdentifiers.secp256r1.equals(curve))) {
                throw new KeyFormatException("EC key is not on the named curve P-256 (prime256v1)");
            }
            return p256(raw);
        }
        throw new KeyFormatException("unsupported key algorithm " + oid.getId() + " (expected Ed25519 or ECDSA P-256)");
    }

    /** An Ed25519 key from its 32-byte encoding (RFC 8032 §5.1.5). */
    public static PublicKeyHandle ed25519(byte[] raw) throws KeyFormatException {
        if (raw == null || raw.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new KeyFormatException("Ed25519 public key must be 32 bytes, got " + (raw == null ? 0 : raw.length));
        }
        // Full validation: canonical encoding, on the curve, and not of small order (rejects the 8 torsion points and
        // mixed keys that would let one signature verify for many messages).
        Ed25519.PublicPoint point = Ed25519.validatePublicKeyFullExport(raw, 0);
        if (point == null) {
            throw new KeyFormatException("Ed25519 public key is not a canonical point of large order");
        }
        byte[] spki = encodeSpki(new AlgorithmIdentifier(Curves.ID_ED25519), raw);
        return new PublicKeyHandle(KeyAlgorithm.ED25519, spki, point, null);
    }

    /** A P-256 key from its SEC1 point encoding (compressed or uncompressed); identity is the uncompressed form. */
    public static PublicKeyHandle p256(byte[] raw) throws KeyFormatException {
        // RFC 5480 §2.2: uncompressed (0x04) or compressed (0x02/0x03) only; the hybrid form (0x06/0x07), which
        // BouncyCastle's decoder would take, MUST NOT be used.
        if (raw == null || raw.length == 0 || (raw[0] != 0x02 && raw[0] != 0x03 && raw[0] != 0x04)) {
            throw new KeyFormatException("P-256 public key must be a SEC1 uncompressed or compressed point");
        }
        ECPoint q;
        try {
            q = P256.getCurve().decodePoint(raw);
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("P-256 public key is not a valid curve point");
        }
        if (q.isInfinity() || !q.isValid()) {
            throw new KeyFormatException("P-256 public key is not a valid curve point");
        }
        q = q.normalize();
        byte[] canonical = q.getEncoded(false);
        byte[] spki = encodeSpki(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
                canonical);
        return new PublicKeyHandle(KeyAlgorithm.ECDSA_P256, spki, null, new ECPublicKeyParameters(q, P256));
    }

    private static byte[] encodeSpki(AlgorithmIdentifier alg, byte[] raw) {
        try {
            return new SubjectPublicKeyInfo(alg, raw).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode SubjectPublicKeyInfo", e);
        }
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /** Lowercase hex SHA-256 of the canonical DER SubjectPublicKeyInfo (ARCHITECTURE §2). A hint, never an identity. */
    public String keyid() {
        return keyid;
    }

    /** The canonical DER SubjectPublicKeyInfo. */
    public byte[] spki() {
        return spki.clone();
    }

    public String toPem() {
        return Pem.encode(spki, Pem.PUBLIC);
    }

    /** Strict check with low-S required for ECDSA: the only mode used for Airlock's envelopes. */
    public SignatureCheck check(byte[] message, byte[] signature) {
        return check(message, signature, true);
    }

    public boolean verify(byte[] message, byte[] signature) {
        return check(message, signature).ok();
    }

    /**
     * Checks a signature. {@code requireLowS=false} exists only so that the Wycheproof suite (whose "valid" ECDSA vectors
     * include high-S signatures) can exercise the same strict-DER path; envelopes always require low-S.
     */
    public SignatureCheck check(byte[] message, byte[] signature, boolean requireLowS) {
        if (message == null || signature == null) {
            return SignatureCheck.WRONG_LENGTH;
        }
        return switch (algorithm) {
            case ED25519 -> checkEd25519(message, signature);
            case ECDSA_P256 -> checkEcdsaDer(message, signature, requireLowS);
        };
    }

    private SignatureCheck checkEd25519(byte[] message, byte[] sig) {
        // RFC 8032 §5.1.7 step 1: exactly 64 bytes; S must be < L. Checked here, before the provider is called.
        if (sig.length != Ed25519.SIGNATURE_SIZE) {
            return SignatureCheck.WRONG_LENGTH;
        }
        byte[] sLe = Arrays.copyOfRange(sig, 32, 64);
        if (littleEndian(sLe).compareTo(ED25519_L) >= 0) {
            return SignatureCheck.SCALAR_OUT_OF_RANGE;
        }
        // BouncyCastle also rejects a non-canonical R encoding and verifies cofactorless ([S]B = R + [k]A).
        return Ed25519.verify(sig, 0, edPoint, message, 0, message.length) ? SignatureCheck.VALID : SignatureCheck.INVALID;
    }

    private SignatureCheck checkEcdsaDer(byte[] message, byte[] sig, boolean requireLowS) {
        BigInteger[] rs;
        try {
            rs = StrictDer.decodeEcdsa(sig);
        } catch (StrictDer.LengthException e) {
            return SignatureCheck.WRONG_LENGTH;
        } catch (StrictDer.DerException e) {
            return SignatureCheck.NOT_STRICT_DER;
        }
        return checkEcdsa(message, rs[0], rs[1], requireLowS);
    }

    /** IEEE P1363 (r‖s, 64 bytes) form, for the Wycheproof P1363 vectors. Not accepted in envelopes. */
    public SignatureCheck checkP1363(byte[] message, byte[] sig, boolean requireLowS) {
        if (algorithm != KeyAlgorithm.ECDSA_P256) {
            return SignatureCheck.INVALID;
        }
        if (sig == null || sig.length != 64) {
            return SignatureCheck.WRONG_LENGTH;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        return checkEcdsa(message, r, s, requireLowS);
    }

    private SignatureCheck checkEcdsa(byte[] message, BigInteger r, BigInteger s, boolean requireLowS) {
        BigInteger n = P256.getN();
        // r, s ∈ [1, n-1] (SEC 1 §4.1.4 step 1): r = s = 0 is CVE-2022-21449 ("psychic signatures").
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
            return SignatureCheck.SCALAR_OUT_OF_RANGE;
        }
        if (requireLowS && s.compareTo(n.shiftRight(1)) > 0) {
            return SignatureCheck.HIGH_S;
        }
        SHA256Digest d = new SHA256Digest();
        d.update(message, 0, message.length);
        byte[] hash = new byte[32];
        d.doFinal(hash, 0);
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, ecKey);
        return verifier.verifySignature(hash, r, s) ? SignatureCheck.VALID : SignatureCheck.INVALID;
    }

    private static BigInteger littleEndian(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKeyHandle other && Arrays.equals(spki, other.spki);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(spki);
    }

    @Override
    public String toString() {
        return algorithm.cliName() + ":" + keyid;
    }
}
