package dev.airlock.core.crypto;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A private key held by its owner (an approver's laptop, a runner's disk, an HSM-backed file). It signs; it is never
 * serialised anywhere but its own PKCS#8 file, and {@link #toString()} never prints it.
 */
public final class SigningKey {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyAlgorithm algorithm;
    private final byte[] secret; // Ed25519 seed (32 bytes) or P-256 scalar d (big-endian)
    private final PublicKeyHandle publicKey;
    private final ECPrivateKeyParameters ecPrivate;
    /** Ed25519 only: the raw public key, so that signing does not derive it again (a base-point multiplication). */
    private final byte[] edPublic;

    private SigningKey(KeyAlgorithm algorithm, byte[] secret, PublicKeyHandle publicKey, ECPrivateKeyParameters ecPrivate,
                       byte[] edPublic) {
        this.algorithm = algorithm;
        this.secret = secret;
        this.publicKey = publicKey;
        this.ecPrivate = ecPrivate;
        this.edPublic = edPublic;
    }

    public static SigningKey generate(KeyAlgorithm algorithm) {
        try {
            return switch (algorithm) {
                case ED25519 -> {
                    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
                    Ed25519.generatePrivateKey(RANDOM, seed);
                    yield ed25519(seed);
                }
                case ECDSA_P256 -> {
                    BigInteger n = Curves.P256.getN();
                    BigInteger d;
                    do {
                        d = new BigInteger(n.bitLength(), RANDOM);
                    } while (d.signum() == 0 || d.compareTo(n) >= 0);
                    yield p256(d);
                }
            };
        } catch (KeyFormatException e) {
            throw new IllegalStateException("freshly generated key refused", e);
        }
    }

    /**
     * An Ed25519 key from its 32-byte seed (RFC 8032 §5.1.5). For reproducible test fixtures and for importing seeds
     * from other tools; production keys come from {@link #generate}.
     */
    public static SigningKey ed25519FromSeed(byte[] seed) {
        if (seed.length != Ed25519.SECRET_KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
        }
        try {
            return ed25519(seed);
        } catch (KeyFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A P-256 key from its private scalar; for reproducible test fixtures. */
    public static SigningKey p256FromScalar(BigInteger d) throws KeyFormatException {
        return p256(d);
    }

    private static SigningKey ed25519(byte[] seed) throws KeyFormatException {
        byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed, 0, pub, 0);
        return new SigningKey(KeyAlgorithm.ED25519, seed.clone(), PublicKeyHandle.ed25519(pub), null, pub);
    }

    private static SigningKey p256(BigInteger d) throws KeyFormatException {
        BigInteger n = Curves.P256.getN();
        if (d.signum() <= 0 || d.compareTo(n) >= 0) {
            throw new KeyFormatException("P-256 private scalar out of range");
        }
        ECPoint q = new FixedPointCombMultiplier().multiply(Curves.P256.getG(), d).normalize();
        return new SigningKey(KeyAlgorithm.ECDSA_P256, d.toByteArray(), PublicKeyHandle.p256(q.getEncoded(false)),
                new ECPrivateKeyParameters(d, Curves.P256), null);
    }

    /** Reads a {@code -----BEGIN PRIVATE KEY-----} (PKCS#8) PEM, as written by this class or by {@code openssl genpkey}. */
    public static SigningKey fromPem(String pem) throws KeyFormatException {
        byte[] der = Pem.decode(pem, Pem.PRIVATE);
        PrivateKeyInfo info;
        ASN1ObjectIdentifier oid;
        try {
            info = PrivateKeyInfo.getInstance(der);
            if (info == null) {
                throw new KeyFormatException("private key is not PKCS#8 PrivateKeyInfo");
            }
            oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        } catch (RuntimeException e) {
            // Malformed DER surfaces from BouncyCastle as one of several runtime exceptions; all are this refusal.
            throw new KeyFormatException("private key is not PKCS#8 PrivateKeyInfo");
        }
        try {
            if (Curves.ID_ED25519.equals(oid)) {
                byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                if (seed.length != Ed25519.SECRET_KEY_SIZE) {
                    throw new KeyFormatException("Ed25519 private key must be a 32-byte seed");
                }
                SigningKey key = ed25519(seed);
                checkEmbeddedPublicKey(info, key);
                return key;
            }
            if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
                ASN1Encodable params = info.getPrivateKeyAlgorithm().getParameters();
                if (!(params instanceof ASN1ObjectIdentifier curve) || !SECObjectIdentifiers.secp256r1.equals(curve)) {
                    throw new KeyFormatException("EC private key is not on the named curve P-256");
                }
                ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
                SigningKey key = p256(ec.getKey());
                org.bouncycastle.asn1.ASN1BitString embedded = ec.getPublicKey();
                if (embedded != null && !Arrays.equals(
                        PublicKeyHandle.p256(embedded.getOctets()).spki(), key.publicKey.spki())) {
                    throw new KeyFormatException("EC private key embeds a public key that does not match it");
                }
                return key;
            }
        } catch (IOException | RuntimeException e) {
            // As above: IllegalStateException, NoSuchElementException, NullPointerException … from the ASN.1 layer.
            throw new KeyFormatException("private key structure is invalid");
        }
        throw new KeyFormatException("unsupported private key algorithm " + oid.getId() + " (expected Ed25519 or ECDSA P-256)");
    }

    private static void checkEmbeddedPublicKey(PrivateKeyInfo info, SigningKey key) throws KeyFormatException {
        if (info.getPublicKeyData() != null && !Arrays.equals(info.getPublicKeyData().getOctets(),
                Arrays.copyOfRange(key.publicKey.spki(), key.publicKey.spki().length - 32, key.publicKey.spki().length))) {
            throw new KeyFormatException("PKCS#8 file embeds a public key that does not match its private key");
        }
    }

    /** The PKCS#8 PEM of this key. Callers write it only to its owner's file (mode 0600, see {@link KeyFiles}). */
    public String toPem() {
        try {
            PrivateKeyInfo info = switch (algorithm) {
                case ED25519 -> new PrivateKeyInfo(new AlgorithmIdentifier(Curves.ID_ED25519),
                        new DEROctetString(secret));
                case ECDSA_P256 -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
                        new ECPrivateKey(256, new BigInteger(1, secret),
                                new DERBitString(Arrays.copyOfRange(publicKey.spki(), publicKey.spki().length - 65,
                                        publicKey.spki().length)), null));
            };
            return Pem.encode(info.getEncoded(ASN1Encoding.DER), Pem.PRIVATE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode private key", e);
        }
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    public PublicKeyHandle publicKey() {
        return publicKey;
    }

    public String keyid() {
        return publicKey.keyid();
    }

    /**
     * Signs {@code message}. Ed25519 is deterministic (RFC 8032); ECDSA uses deterministic nonces (RFC 6979) and is
     * normalised to low-S, then strict DER.
     */
    public byte[] sign(byte[] message) {
        return switch (algorithm) {
            case ED25519 -> {
                byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
                Ed25519.sign(secret, 0, edPublic, 0, message, 0, message.length, sig, 0);
                yield sig;
            }
            case ECDSA_P256 -> {
                SHA256Digest d = new SHA256Digest();
                d.update(message, 0, message.length);
                byte[] hash = new byte[32];
                d.doFinal(hash, 0);
                ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
                signer.init(true, ecPrivate);
                BigInteger[] rs = signer.generateSignature(hash);
                BigInteger n = Curves.P256.getN();
                BigInteger s = rs[1].compareTo(n.shiftRight(1)) > 0 ? n.subtract(rs[1]) : rs[1];
                yield StrictDer.encodeEcdsa(rs[0], s);
            }
        };
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm.cliName() + ", keyid=" + publicKey.keyid() + "]";
    }
}
