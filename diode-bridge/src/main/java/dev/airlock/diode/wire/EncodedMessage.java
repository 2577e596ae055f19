package dev.airlock.diode.wire;

import dev.airlock.diode.fec.BlockLayout;
import dev.airlock.diode.fec.FecParams;
import dev.airlock.diode.fec.ReedSolomon;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One message cut into shards and FEC-encoded, ready to be written as datagrams. Datagram order interleaves the
 * blocks (shard 0 of every block, then shard 1 of every block, …), so a burst of consecutive losses costs each block
 * only a few shards.
 */
public final class EncodedMessage {
    /** Callback for each datagram; the buffer is reused, so consume it before returning. */
    @FunctionalInterface
    public interface DatagramSink {
        void accept(ByteBuffer datagram) throws java.io.IOException;
    }

    private final byte[] stream;
    private final long sequence;
    private final byte[] digest;
    private final BlockLayout layout;
    private final byte[][][] shards;
    private final int[] parity;
    private final int[] firstChunk;
    private final int chunkCount;

    private EncodedMessage(byte[] stream, long sequence, byte[] digest, BlockLayout layout, byte[][][] shards,
                           int[] parity, int[] firstChunk, int chunkCount) {
        this.stream = stream;
        this.sequence = sequence;
        this.digest = digest;
        this.layout = layout;
        this.shards = shards;
        this.parity = parity;
        this.firstChunk = firstChunk;
        this.chunkCount = chunkCount;
    }

    public static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public static EncodedMessage encode(String stream, long sequence, byte[] body, FecParams fec) {
        return encode(stream, sequence, body, sha256(body), fec);
    }

    /** As above with the body's SHA-256 already computed. */
    public static EncodedMessage encode(String stream, long sequence, byte[] body, byte[] digest, FecParams fec) {
        if (digest.length != WireFormat.DIGEST_BYTES) {
            throw new IllegalArgumentException("digest must be 32 bytes");
        }
        BlockLayout layout = BlockLayout.forSend(body.length, fec);
        int s = fec.shardSize();
        byte[][][] shards = new byte[layout.blocks()][][];
        int[] parity = new int[layout.blocks()];
        int[] firstChunk = new int[layout.blocks()];
        int chunk = 0;
        for (int b = 0; b < layout.blocks(); b++) {
            int k = layout.dataShards(b);
            int m = fec.parityFor(k);
            parity[b] = m;
            firstChunk[b] = chunk;
            chunk += k + m;
            byte[][] data = new byte[k][];
            for (int j = 0; j < k; j++) {
                long off = (long) (layout.firstDataShard(b) + j) * s;
                byte[] d = new byte[s];
                if (off < body.length) {
                    System.arraycopy(body, (int) off, d, 0, (int) Math.min(s, body.length - off));
                }
                data[j] = d;
            }
            byte[][] par = new byte[m][s];
            new ReedSolomon(k, m).encode(data, par, s);
            byte[][] all = new byte[k + m][];
            System.arraycopy(data, 0, all, 0, k);
            System.arraycopy(par, 0, all, k, m);
            shards[b] = all;
        }
        return new EncodedMessage(WireFormat.streamBytes(stream), sequence, digest, layout, shards, parity,
                firstChunk, chunk);
    }

    public long sequence() {
        return sequence;
    }

    public byte[] digest() {
        return digest.clone();
    }

    public int datagramCount() {
        return chunkCount;
    }

    public int datagramSize() {
        return 8 + stream.length + WireFormat.DATA_FIXED + layout.shardSize() + WireFormat.CRC_BYTES;
    }

    /** Writes every datagram, interleaved across blocks, into {@code buf} (reused) and hands it to {@code sink}. */
    public void forEachDatagram(ByteBuffer buf, int flags, DatagramSink sink) throws java.io.IOException {
        int rounds = 0;
        for (byte[][] b : shards) {
            rounds = Math.max(rounds, b.length);
        }
        for (int r = 0; r < rounds; r++) {
            for (int b = 0; b < shards.length; b++) {
                if (r >= shards[b].length) {
                    continue;
                }
                int k = layout.dataShards(b);
                DataHeader h = new DataHeader(sequence, digest, layout.length(), layout.shardSize(),
                        firstChunk[b] + r, chunkCount, b, layout.blocks(), k, parity[b], r);
                WireFormat.writeData(buf, stream, h, flags, shards[b][r]);
                sink.accept(buf);
            }
        }
    }
}
