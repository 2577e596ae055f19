package dev.airlock.core.testing;

import dev.airlock.core.crypto.SigningKey;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;

/**
 * Builds the malformed and malicious signature and key encodings of SECURITY-TESTS A (high-S, r = s = 0, S + L,
 * small-order keys, other point encodings). Test code only: it deliberately produces what production code refuses.
 */
public final class Forge {
    /** Order n of the P-256 group. */
    public static final BigInteger P256_N =
            new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    /** Order L of the Ed25519 prime-order subgroup (RFC 8032 §5.1). */
    public static final BigInteger ED25519_L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4), followed by the 32 key bytes. */
    private static final byte[] ED25519_SPKI_PREFIX = Hex("302a300506032b6570032100");

    private Forge() {
    }

    private static byte[] Hex(String h) {
        return dev.airlock.core.crypto.Hex.decode(h);
    }

    /** (r, s) of a DER ECDSA signature (parsed leniently: this is for building attacks, not for checking). */
    public static BigInteger[] decodeDer(byte[] der) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        return new BigInteger[] {ASN1Integer.getInstance(seq.getObjectAt(0)).getValue(),
                ASN1Integer.getInstance(seq.getObjectAt(1)).getValue()};
    }

    /** DER {@code SEQUENCE {INTEGER r, INTEGER s}}, minimal encoding. */
    public static byte[] encodeDer(BigInteger r, BigInteger s) {
        try {
            return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1Integer(r), new ASN1Integer(s)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The malleated twin (r, n − s) of a low-S signature: mathematically valid, refused by the low-S rule. */
    public static byte[] highS(byte[] der) {
        BigInteger[] rs = decodeDer(der);
        if (rs[1].compareTo(P256_N.shiftRight(1)) > 0) {
            throw new IllegalArgumentException("signature is already high-S");
        }
        return encodeDer(rs[0], P256_N.subtract(rs[1]));
    }

    /** r ‖ s, 32 bytes each (IEEE P1363). */
    public static byte[] p1363(BigInteger r, BigInteger s) {
        byte[] out = new byte[64];
        byte[] rb = unsigned(r);
        byte[] sb = unsigned(s);
        System.arraycopy(rb, 0, out, 32 - rb.length, rb.length);
        System.arraycopy(sb, 0, out, 64 - sb.length, sb.length);
        return out;
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** The Ed25519 signature R ‖ (S + L): verifies under a lax verifier, must be refused (RFC 8032 §5.1.7, S &lt; L). */
    public static byte[] ed25519AddL(byte[] sig) {
        byte[] sLe = Arrays.copyOfRange(sig, 32, 64);
        BigInteger s = littleEndian(sLe).add(ED25519_L);
        if (s.bitLength() > 256) {
            throw new IllegalArgumentException("S + L does not fit in 32 bytes");
        }
        byte[] be = unsigned(s);
        byte[] out = sig.clone();
        Arrays.fill(out, 32, 64, (byte) 0);
        for (int i = 0; i < be.length; i++) {
            out[32 + i] = be[be.length - 1 - i];
        }
        return out;
    }

    public static BigInteger littleEndian(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    /** The Ed25519 SubjectPublicKeyInfo DER for 32 raw key bytes (valid or not). */
    public static byte[] ed25519Spki(byte[] raw) {
        byte[] out = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, out, ED25519_SPKI_PREFIX.length, raw.length);
        return out;
    }

    /** The identity point (0, 1) encoded as an Ed25519 public key: order 1, every signature with R = [S]B verifies. */
    public static byte[] ed25519IdentityKey() {
        byte[] raw = new byte[32];
        raw[0] = 1;
        return raw;
    }

    /** A point of order 8 (from the well-known list of Ed25519 torsion points, e.g. libsodium's blocklist). */
    public static byte[] ed25519Order8Key() {
        return Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    }

    /** {@code -----BEGIN PUBLIC KEY-----} PEM around a DER SubjectPublicKeyInfo. */
    public static String publicPem(byte[] spki) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(spki)
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The same P-256 key in SEC1 compressed form: another encoding (and a naive keyid) of one key. */
    public static byte[] compressedP256Spki(SigningKey k) {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(k.publicKey().spki());
        byte[] point = info.getPublicKeyData().getOctets();
        if (point.length != 65 || point[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed P-256 point");
        }
        byte[] compressed = new byte[33];
        compressed[0] = (byte) ((point[64] & 1) == 0 ? 2 : 3);
        System.arraycopy(point, 1, compressed, 1, 32);
        try {
            return new SubjectPublicKeyInfo(info.getAlgorithm(), compressed).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
