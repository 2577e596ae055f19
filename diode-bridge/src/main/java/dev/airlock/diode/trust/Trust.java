package dev.airlock.diode.trust;

import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.InboundClassifier;

/** The classifier and heartbeat signer of production: capsule-core's, so there is one shape check and one DSSE. */
public final class Trust {
    private Trust() {
    }

    /** {@link InboundClassifier} with the size limit raised to the configured maximum value size. */
    public static ValueClassifier classifier(long maxValueBytes) {
        StrictJson.Limits limits = StrictJson.SIGNED.withMaxBytes(maxValueBytes);
        return value -> switch (InboundClassifier.classify(value, limits)) {
            case SIGNED_CAPSULE -> ValueClassifier.Kind.SIGNED_CAPSULE;
            case POLICY -> ValueClassifier.Kind.POLICY;
        };
    }

    /** Signs with the bridge's own key (PKCS#8 PEM; Ed25519 or P-256), the key of a policy principal of kind bridge. */
    public static HeartbeatSigner heartbeatSigner(String bridgeId, String pkcs8Pem) {
        SigningKey key;
        try {
            key = SigningKey.fromPem(pkcs8Pem);
        } catch (KeyFormatException e) {
            throw new IllegalArgumentException("heartbeat.key-file is not a PKCS#8 private key: " + e.getMessage());
        }
        return new HeartbeatSigner() {
            @Override
            public String principal() {
                return bridgeId;
            }

            @Override
            public byte[] sign(String payloadType, byte[] payload) {
                return Dsse.sign(payloadType, payload, key).toJson();
            }
        };
    }
}
