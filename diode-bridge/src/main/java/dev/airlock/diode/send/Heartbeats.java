package dev.airlock.diode.send;

import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.trust.HeartbeatSigner;
import dev.airlock.diode.wire.WireFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/** Builds the signed heartbeat datagram (README "Heartbeat"). */
public final class Heartbeats {
    public static final String PAYLOAD_TYPE = dev.airlock.core.dsse.PayloadTypes.DIODE_HEARTBEAT;
    public static final String SCHEMA = "airlock.diode-heartbeat/v1";

    private final HeartbeatSigner signer;
    private final String stream;
    private final Clock clock;

    public Heartbeats(HeartbeatSigner signer, String stream, Clock clock) {
        this.signer = signer;
        this.stream = stream;
        this.clock = clock;
    }

    public byte[] payload(long lastSequence) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("schema", SCHEMA);
        p.put("bridge", signer.principal());
        p.put("stream", stream);
        p.put("lastSequence", lastSequence);
        p.put("sentAt", StrictJson.formatInstant(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        return StrictJson.write(p);
    }

    public byte[] datagram(long lastSequence) {
        return WireFormat.heartbeat(WireFormat.streamBytes(stream), signer.sign(PAYLOAD_TYPE, payload(lastSequence)));
    }

    public void send(UdpTransmitter tx, LongSupplier lastSequence) throws IOException {
        tx.send(ByteBuffer.wrap(datagram(lastSequence.getAsLong())));
    }
}
