package dev.airlock.diode.trust;

/** Signs heartbeat payloads as DSSE with the bridge's own key (a policy principal of kind {@code bridge}). */
public interface HeartbeatSigner {
    /** The bridge's principal id, as named in the policy. */
    String principal();

    /** The DSSE envelope JSON over {@code payload} with {@code payloadType}. */
    byte[] sign(String payloadType, byte[] payload);
}
