package dev.airlock.diode.wire;

import dev.airlock.diode.fec.FecParams;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireFormatTest {

    private static List<byte[]> datagrams(byte[] body) throws Exception {
        List<byte[]> out = new ArrayList<>();
        EncodedMessage m = EncodedMessage.encode("diode-1", 42, body, FecParams.DEFAULT);
        ByteBuffer buf = ByteBuffer.allocate(m.datagramSize());
        m.forEachDatagram(buf, 0, b -> {
            byte[] d = new byte[b.remaining()];
            b.get(d);
            out.add(d);
        });
        return out;
    }

    @Test
    void dataDatagramsRoundTripAndFitATypicalMtu() throws Exception {
        byte[] body = new byte[5000];
        new Random(1).nextBytes(body);
        List<byte[]> ds = datagrams(body);
        assertEquals(4 + FecParams.DEFAULT.parityFor(4), ds.size());
        assertEquals(8, ds.size(), "4 data shards and 4 parity shards (binomial rule at 1 % design loss)");
        for (byte[] d : ds) {
            assertTrue(d.length <= 1472, "datagram of " + d.length + " bytes exceeds a 1500-byte MTU");
            Frame.Data f = (Frame.Data) WireFormat.parse(d, d.length);
            assertEquals("diode-1", f.stream());
            assertEquals(42, f.header().sequence());
            assertEquals(5000, f.header().bodyLength());
            assertArrayEquals(EncodedMessage.sha256(body), f.header().digest());
            assertEquals(8, f.header().chunkCount());
        }
    }

    @Test
    void everyTruncationAndEveryBitFlipIsRefused() throws Exception {
        byte[] d = datagrams(new byte[300]).get(0);
        for (int len = 0; len < d.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(d, len);
            assertThrows(FrameException.class, () -> WireFormat.parse(cut, cut.length), "truncated to " + len);
        }
        for (int bit = 0; bit < d.length * 8; bit++) {
            byte[] x = d.clone();
            x[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(FrameException.class, () -> WireFormat.parse(x, x.length), "bit " + bit);
        }
    }

    @Test
    void unknownVersionIsRefusedEvenWithAValidCrc() throws Exception {
        byte[] d = datagrams(new byte[10]).get(0);
        d[4] = 2;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(d, 0, d.length - 4);
        ByteBuffer.wrap(d, d.length - 4, 4).putInt((int) crc.getValue());
        FrameException e = assertThrows(FrameException.class, () -> WireFormat.parse(d, d.length));
        assertEquals("unsupported_version", e.reason());
    }

    @Test
    void messageBodyCarriesTheKeyAndTheValueUnchanged() throws Exception {
        byte[] value = "{\"a\":1}".getBytes();
        MessageBody b = MessageBody.decode(new MessageBody("0194f3c2-ü", value).encode());
        assertEquals("0194f3c2-ü", b.key());
        assertArrayEquals(value, b.value());
        assertEquals(null, MessageBody.decode(new MessageBody(null, value).encode()).key());
    }
}
