package dev.airlock.diode.fec;

/**
 * How a message of {@code length} bytes is cut into data shards of {@code shardSize} bytes and those into FEC blocks.
 * Part of the wire contract: total data shards D = max(1, ceil(length / shardSize)); B = the block count carried in
 * every datagram; block b holds floor(D / B) data shards, plus one for the first D mod B blocks; blocks are consecutive
 * in message order. Both sides compute the same layout from (length, shardSize, blockCount).
 */
public final class BlockLayout {
    private final int length;
    private final int shardSize;
    private final int totalData;
    private final int blocks;
    private final int[] firstData;
    private final int[] dataCount;

    public BlockLayout(int length, int shardSize, int blockCount) {
        if (length < 0 || shardSize < 1 || blockCount < 1) {
            throw new IllegalArgumentException("bad layout");
        }
        this.length = length;
        this.shardSize = shardSize;
        this.totalData = totalDataShards(length, shardSize);
        if (blockCount > totalData) {
            throw new IllegalArgumentException("more blocks than data shards");
        }
        this.blocks = blockCount;
        this.firstData = new int[blockCount];
        this.dataCount = new int[blockCount];
        int base = totalData / blockCount;
        int extra = totalData % blockCount;
        int next = 0;
        for (int b = 0; b < blockCount; b++) {
            firstData[b] = next;
            dataCount[b] = base + (b < extra ? 1 : 0);
            next += dataCount[b];
        }
    }

    /** The sender's choice: as few blocks as possible with at most {@code maxDataShards} data shards each. */
    public static BlockLayout forSend(int length, FecParams p) {
        int d = totalDataShards(length, p.shardSize());
        int b = (d + p.maxDataShards() - 1) / p.maxDataShards();
        return new BlockLayout(length, p.shardSize(), b);
    }

    public static int totalDataShards(int length, int shardSize) {
        return Math.max(1, (int) (((long) length + shardSize - 1) / shardSize));
    }

    public int length() {
        return length;
    }

    public int shardSize() {
        return shardSize;
    }

    public int blocks() {
        return blocks;
    }

    public int totalData() {
        return totalData;
    }

    public int dataShards(int block) {
        return dataCount[block];
    }

    public int firstDataShard(int block) {
        return firstData[block];
    }
}
