package dev.airlock.diode.trust;

/** The classifier and heartbeat signer used in production. */
public final class Trust {
    private Trust() {
    }

    public static ValueClassifier classifier(long maxValueBytes) {
        return new ShapeClassifier(maxValueBytes);
    }

    public static HeartbeatSigner heartbeatSigner(String bridgeId, String pkcs8Pem) {
        return new PemHeartbeatSigner(bridgeId, pkcs8Pem);
    }
}
