package dev.airlock.diode.trust;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.io.IOException;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interim DSSE signer for heartbeats until capsule-core's {@code Dsse}/{@code SigningKey} land on main.
 * Ed25519, PKCS#8 PEM; signs {@code PAE(payloadType, payload)} (DSSE v1, lengths in bytes).
 */
public final class PemHeartbeatSigner implements HeartbeatSigner {
    private final String principal;
    private final Ed25519PrivateKeyParameters key;
    private final String keyid;

    public PemHeartbeatSigner(String principal, String pkcs8Pem) {
        this.principal = principal;
        try {
            String b64 = pkcs8Pem.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
            if (!(PrivateKeyFactory.createKey(Base64.getDecoder().decode(b64)) instanceof Ed25519PrivateKeyParameters k)) {
                throw new IllegalArgumentException("not Ed25519");
            }
            this.key = k;
            byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(k.generatePublicKey()).getEncoded();
            this.keyid = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("bridge key is not an Ed25519 PKCS#8 PEM key");
        }
    }

    public String keyid() {
        return keyid;
    }

    static byte[] pae(String type, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(("DSSEv1 " + t.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(t);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Override
    public String principal() {
        return principal;
    }

    @Override
    public byte[] sign(String payloadType, byte[] payload) {
        {
            Ed25519Signer s = new Ed25519Signer();
            s.init(true, key);
            byte[] pae = pae(payloadType, payload);
            s.update(pae, 0, pae.length);
            byte[] sig = s.generateSignature();
            Map<String, Object> sigEntry = new LinkedHashMap<>();
            if (keyid != null) {
                sigEntry.put("keyid", keyid);
            }
            sigEntry.put("sig", Base64.getEncoder().encodeToString(sig));
            Map<String, Object> env = new LinkedHashMap<>();
            env.put("payloadType", payloadType);
            env.put("payload", Base64.getEncoder().encodeToString(payload));
            env.put("signatures", List.of(sigEntry));
            return dev.airlock.core.json.StrictJson.write(env);
        }
    }
}
