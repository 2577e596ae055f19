package dev.airlock.diode.wire;

import java.util.Locale;

/**
 * Header fields of a data datagram (README "Wire format v1"). Validated here for internal consistency; consistency
 * across the datagrams of one message is checked by the reassembly.
 *
 * @param sequence     per-stream message sequence (≥ 1), the de-duplication key together with the stream id
 * @param digest       SHA-256 of the whole message body; the final gate before anything is produced
 * @param bodyLength   bytes of the message body
 * @param shardSize    payload bytes of every shard of this message
 * @param chunkIndex   index of this shard among all shards of the message, block-major (data then parity)
 * @param chunkCount   number of shards of the message, data and parity
 * @param blockIndex   FEC block of this shard
 * @param blockCount   FEC blocks of the message
 * @param dataShards   k of this block
 * @param parityShards m of this block
 * @param shardIndex   index in the block: 0..k-1 data, k..k+m-1 parity
 */
public record DataHeader(long sequence, byte[] digest, int bodyLength, int shardSize, int chunkIndex, int chunkCount,
                         int blockIndex, int blockCount, int dataShards, int parityShards, int shardIndex) {
    public DataHeader {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1");
        }
        if (digest == null || digest.length != WireFormat.DIGEST_BYTES) {
            throw new IllegalArgumentException("digest must be 32 bytes");
        }
        if (bodyLength < 0 || shardSize < 1 || blockCount < 1 || blockIndex >= blockCount) {
            throw new IllegalArgumentException("bad geometry");
        }
        if (dataShards < 1 || dataShards + parityShards > 255 || shardIndex >= dataShards + parityShards) {
            throw new IllegalArgumentException("bad block");
        }
        if (chunkCount < 1 || chunkIndex >= chunkCount) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "chunk %d of %d", chunkIndex, chunkCount));
        }
    }
}
