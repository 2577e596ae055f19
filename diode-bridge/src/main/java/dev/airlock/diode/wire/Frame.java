package dev.airlock.diode.wire;

/** A parsed, CRC-checked datagram. */
public sealed interface Frame {
    String stream();

    /** One shard (data or parity) of one FEC block of one message. */
    record Data(String stream, int flags, DataHeader header, byte[] shard) implements Frame {
    }

    /** A heartbeat: the bridge-signed DSSE bytes, not yet checked beyond the CRC. */
    record Heartbeat(String stream, byte[] dsse) implements Frame {
    }
}
