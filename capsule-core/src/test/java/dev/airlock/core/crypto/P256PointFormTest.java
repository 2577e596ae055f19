package dev.airlock.core.crypto;

import dev.airlock.core.testing.TestPki;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RFC 5480 §2.2: a P-256 key is an uncompressed or compressed SEC1 point; the hybrid form is refused. */
class P256PointFormTest {
    @Test
    void hybridPointFormIsRefusedCompressedAndUncompressedAreOneKey() throws Exception {
        SigningKey k = TestPki.p256Key("point-forms");
        byte[] spki = k.publicKey().spki();
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(spki);
        byte[] point = info.getPublicKeyData().getOctets();
        byte[] hybrid = point.clone();
        hybrid[0] = (byte) ((point[64] & 1) == 0 ? 6 : 7);
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.p256(hybrid));
        byte[] hybridSpki = new SubjectPublicKeyInfo(info.getAlgorithm(), hybrid).getEncoded(ASN1Encoding.DER);
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.fromSpki(hybridSpki));

        byte[] compressed = new byte[33];
        compressed[0] = (byte) ((point[64] & 1) == 0 ? 2 : 3);
        System.arraycopy(point, 1, compressed, 1, 32);
        assertEquals(k.publicKey(), PublicKeyHandle.p256(compressed));
        assertEquals(k.publicKey(), PublicKeyHandle.p256(point));
        assertThrows(KeyFormatException.class, () -> PublicKeyHandle.p256(new byte[0]));
    }
}
