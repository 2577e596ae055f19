package dev.airlock.diode.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Datagram format v1 of the diode (the contract is diode-bridge/README.md, "Wire format v1"). All integers are
 * big-endian and unsigned. Every datagram ends with a CRC32C over all bytes before it, so a truncated, padded or
 * bit-flipped datagram is refused here and becomes an erasure for the FEC; it never reaches the reassembly.
 */
public final class WireFormat {
    public static final byte[] MAGIC = {'A', 'D', 'I', 'O'};
    public static final int VERSION = 1;
    public static final int TYPE_DATA = 1;
    public static final int TYPE_HEARTBEAT = 2;
    public static final int FLAG_REPEAT = 1;
    public static final int FLAG_RESEND = 2;
    public static final int MAX_STREAM_ID = 64;
    public static final int DIGEST_BYTES = 32;
    /** Fixed part of a data header after the stream id. */
    static final int DATA_FIXED = 8 + DIGEST_BYTES + 4 + 2 + 4 + 4 + 2 + 2 + 1 + 1 + 1;
    public static final int CRC_BYTES = 4;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    private WireFormat() {
    }

    /** Datagram bytes of a data frame with this stream id and shard size (header + payload + CRC). */
    public static int dataDatagramSize(String stream, int shardSize) {
        return 8 + streamBytes(stream).length + DATA_FIXED + shardSize + CRC_BYTES;
    }

    public static byte[] streamBytes(String stream) {
        byte[] b = stream.getBytes(StandardCharsets.US_ASCII);
        if (b.length < 1 || b.length > MAX_STREAM_ID || !stream.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("stream id must be 1..64 characters of [A-Za-z0-9._-]");
        }
        return b;
    }

    private static void putPrefix(ByteBuffer out, int type, int flags, byte[] stream) {
        out.put(MAGIC).put((byte) VERSION).put((byte) type).put((byte) flags).put((byte) stream.length).put(stream);
    }

    /**
     * Writes one data datagram into {@code out} (cleared first, flipped for sending afterwards).
     * {@code shard} must be exactly {@code header.shardSize()} bytes.
     */
    public static void writeData(ByteBuffer out, byte[] stream, DataHeader h, int flags, byte[] shard) {
        if (shard.length < h.shardSize()) {
            throw new IllegalArgumentException("shard shorter than the shard size");
        }
        out.clear();
        putPrefix(out, TYPE_DATA, flags, stream);
        out.putLong(h.sequence()).put(h.digest()).putInt(h.bodyLength()).putShort((short) h.shardSize())
                .putInt(h.chunkIndex()).putInt(h.chunkCount()).putShort((short) h.blockIndex())
                .putShort((short) h.blockCount()).put((byte) h.dataShards()).put((byte) h.parityShards())
                .put((byte) h.shardIndex()).put(shard, 0, h.shardSize());
        appendCrc(out);
        out.flip();
    }

    public static byte[] heartbeat(byte[] stream, byte[] dsse) {
        ByteBuffer out = ByteBuffer.allocate(8 + stream.length + 4 + dsse.length + CRC_BYTES);
        if (out.capacity() > MAX_DATAGRAM) {
            throw new IllegalArgumentException("heartbeat does not fit one datagram");
        }
        putPrefix(out, TYPE_HEARTBEAT, 0, stream);
        out.putInt(dsse.length).put(dsse);
        appendCrc(out);
        return out.array();
    }

    private static void appendCrc(ByteBuffer out) {
        CRC32C crc = new CRC32C();
        crc.update(out.array(), out.arrayOffset(), out.position());
        out.putInt((int) crc.getValue());
    }

    /**
     * Parses one received datagram.
     *
     * @throws FrameException with a drop reason when the datagram is not a valid v1 frame
     */
    public static Frame parse(byte[] buf, int len) throws FrameException {
        if (len < 8 + 1 + CRC_BYTES) {
            throw new FrameException("short_datagram");
        }
        if (buf[0] != MAGIC[0] || buf[1] != MAGIC[1] || buf[2] != MAGIC[2] || buf[3] != MAGIC[3]) {
            throw new FrameException("bad_magic");
        }
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, len - CRC_BYTES);
        int expected = ByteBuffer.wrap(buf, len - CRC_BYTES, CRC_BYTES).getInt();
        if ((int) crc.getValue() != expected) {
            throw new FrameException("bad_crc");
        }
        if ((buf[4] & 0xff) != VERSION) {
            throw new FrameException("unsupported_version");
        }
        int type = buf[5] & 0xff;
        int flags = buf[6] & 0xff;
        int sl = buf[7] & 0xff;
        if (sl < 1 || sl > MAX_STREAM_ID || 8 + sl > len - CRC_BYTES) {
            throw new FrameException("bad_stream_id");
        }
        for (int i = 8; i < 8 + sl; i++) {
            int c = buf[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                throw new FrameException("bad_stream_id");
            }
        }
        String stream = new String(buf, 8, sl, StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.wrap(buf, 8 + sl, len - CRC_BYTES - 8 - sl);
        if (type == TYPE_DATA) {
            if (in.remaining() < DATA_FIXED) {
                throw new FrameException("short_datagram");
            }
            long seq = in.getLong();
            byte[] digest = new byte[DIGEST_BYTES];
            in.get(digest);
            long bodyLength = Integer.toUnsignedLong(in.getInt());
            int shardSize = Short.toUnsignedInt(in.getShort());
            long chunkIndex = Integer.toUnsignedLong(in.getInt());
            long chunkCount = Integer.toUnsignedLong(in.getInt());
            int blockIndex = Short.toUnsignedInt(in.getShort());
            int blockCount = Short.toUnsignedInt(in.getShort());
            int k = in.get() & 0xff;
            int m = in.get() & 0xff;
            int shardIndex = in.get() & 0xff;
            if (in.remaining() != shardSize) {
                throw new FrameException("bad_length");
            }
            DataHeader h;
            try {
                if (bodyLength > Integer.MAX_VALUE || chunkIndex > Integer.MAX_VALUE || chunkCount > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("field out of range");
                }
                h = new DataHeader(seq, digest, (int) bodyLength, shardSize, (int) chunkIndex, (int) chunkCount,
                        blockIndex, blockCount, k, m, shardIndex);
            } catch (IllegalArgumentException e) {
                throw new FrameException("bad_header");
            }
            byte[] shard = Arrays.copyOfRange(buf, in.position(), in.position() + shardSize);
            return new Frame.Data(stream, flags, h, shard);
        }
        if (type == TYPE_HEARTBEAT) {
            if (in.remaining() < 4) {
                throw new FrameException("short_datagram");
            }
            int dl = in.getInt();
            if (dl < 0 || dl != in.remaining()) {
                throw new FrameException("bad_length");
            }
            byte[] dsse = Arrays.copyOfRange(buf, in.position(), in.position() + dl);
            return new Frame.Heartbeat(stream, dsse);
        }
        throw new FrameException(String.format(Locale.ROOT, "unknown_type"));
    }
}
