package dev.airlock.diode.receive;

import dev.airlock.diode.fec.BlockLayout;
import dev.airlock.diode.fec.ReedSolomon;
import dev.airlock.diode.wire.DataHeader;

import java.util.Arrays;

/**
 * Reassembly of one message (stream, sequence): shards per FEC block until every block holds k of its k + m shards.
 * The first datagram fixes the message's geometry and digest; a later datagram that disagrees is refused, so two
 * different messages can never be mixed into one body.
 */
final class Assembly {
    private final long sequence;
    private final byte[] digest;
    private final int bodyLength;
    private final int shardSize;
    private final int chunkCount;
    private final BlockLayout layout;
    private final int[] parity;
    private final byte[][][] shards;
    private final int[] have;
    private int completeBlocks;
    private int repairedBlocks;
    private long bytes;
    long lastActivityNanos;
    final long firstSeenNanos;

    Assembly(DataHeader h, long nowNanos) {
        this.sequence = h.sequence();
        this.digest = h.digest().clone();
        this.bodyLength = h.bodyLength();
        this.shardSize = h.shardSize();
        this.chunkCount = h.chunkCount();
        this.layout = new BlockLayout(h.bodyLength(), h.shardSize(), h.blockCount());
        this.parity = new int[h.blockCount()];
        Arrays.fill(parity, -1);
        this.shards = new byte[h.blockCount()][][];
        this.have = new int[h.blockCount()];
        this.firstSeenNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
    }

    /** Geometry check for a first datagram, before any memory is committed. */
    static boolean plausible(DataHeader h) {
        if ((long) BlockLayout.totalDataShards(h.bodyLength(), h.shardSize()) < h.blockCount()) {
            return false;
        }
        BlockLayout l = new BlockLayout(h.bodyLength(), h.shardSize(), h.blockCount());
        return l.dataShards(h.blockIndex()) == h.dataShards();
    }

    /** Bytes reserved for this message: its data shards plus as many again for parity (m ≤ k is not required, so this is a budget, not a bound). */
    long budget() {
        return 2L * layout.totalData() * shardSize;
    }

    enum Add { ADDED, DUPLICATE_SHARD, INCONSISTENT, BLOCK_ALREADY_COMPLETE }

    Add add(DataHeader h, byte[] shard, long nowNanos) {
        if (!Arrays.equals(digest, h.digest()) || h.bodyLength() != bodyLength || h.shardSize() != shardSize
                || h.blockCount() != layout.blocks() || h.chunkCount() != chunkCount) {
            return Add.INCONSISTENT;
        }
        int b = h.blockIndex();
        int k = layout.dataShards(b);
        if (h.dataShards() != k) {
            return Add.INCONSISTENT;
        }
        if (parity[b] < 0) {
            parity[b] = h.parityShards();
            shards[b] = new byte[k + h.parityShards()][];
        } else if (parity[b] != h.parityShards()) {
            return Add.INCONSISTENT;
        }
        lastActivityNanos = nowNanos;
        if (have[b] >= k) {
            return Add.BLOCK_ALREADY_COMPLETE;
        }
        if (shards[b][h.shardIndex()] != null) {
            return Add.DUPLICATE_SHARD;
        }
        shards[b][h.shardIndex()] = shard;
        bytes += shard.length;
        if (++have[b] == k) {
            completeBlocks++;
        }
        return Add.ADDED;
    }

    boolean complete() {
        return completeBlocks == layout.blocks();
    }

    long sequence() {
        return sequence;
    }

    byte[] digest() {
        return digest;
    }

    int repairedBlocks() {
        return repairedBlocks;
    }

    long bytes() {
        return bytes;
    }

    /** Repairs each block with the RS code and concatenates the data shards. Only call when {@link #complete()}. */
    byte[] body() {
        byte[] body = new byte[bodyLength];
        for (int b = 0; b < layout.blocks(); b++) {
            int k = layout.dataShards(b);
            byte[][] s = shards[b];
            boolean missing = false;
            for (int j = 0; j < k; j++) {
                missing |= s[j] == null;
            }
            if (missing) {
                if (!new ReedSolomon(k, parity[b]).reconstructData(s, shardSize)) {
                    throw new IllegalStateException("block not repairable although complete");
                }
                repairedBlocks++;
            }
            for (int j = 0; j < k; j++) {
                long off = (long) (layout.firstDataShard(b) + j) * shardSize;
                if (off < bodyLength) {
                    System.arraycopy(s[j], 0, body, (int) off, (int) Math.min(shardSize, bodyLength - off));
                }
            }
            shards[b] = null;
        }
        return body;
    }
}
