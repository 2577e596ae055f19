package dev.airlock.core.crypto;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/** BouncyCastle's constant-time custom implementation of P-256 (secp256r1). */
final class Curves {
    static final X9ECParameters P256_X9 = CustomNamedCurves.getByName("secp256r1");
    static final ECDomainParameters P256 = new ECDomainParameters(P256_X9.getCurve(), P256_X9.getG(), P256_X9.getN(),
            P256_X9.getH(), P256_X9.getSeed());

    /** id-Ed25519 (RFC 8410 §3). */
    static final org.bouncycastle.asn1.ASN1ObjectIdentifier ID_ED25519 =
            new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.101.112");

    private Curves() {
    }
}
