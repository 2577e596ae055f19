package dev.airlock.diode.fec;

import java.util.Locale;

/**
 * Sender-side FEC settings. Parity per block = max(minParity, ceil(k · overheadPercent / 100)), capped so that
 * k + m ≤ 255. The receiver needs none of these: every datagram carries its block's k and m.
 *
 * @param shardSize       payload bytes per datagram (every shard of a message has this length; the last data shard
 *                        is zero-padded)
 * @param maxDataShards   largest k of one block; a message with more chunks is split into near-equal blocks
 * @param overheadPercent parity shards as a percentage of a block's data shards (integer, so the split is exact)
 * @param minParity       lower bound of parity shards per block, which protects small messages
 */
public record FecParams(int shardSize, int maxDataShards, int overheadPercent, int minParity) {
    /** Defaults chosen in diode-bridge/README.md ("Choosing the FEC defaults"). */
    public static final FecParams DEFAULT = new FecParams(1360, 128, 10, 3);

    public FecParams {
        if (shardSize < 16 || shardSize > 65_000) {
            throw new IllegalArgumentException("shardSize must be within 16..65000, got " + shardSize);
        }
        if (maxDataShards < 1 || maxDataShards > 250) {
            throw new IllegalArgumentException("maxDataShards must be within 1..250, got " + maxDataShards);
        }
        if (overheadPercent < 0 || overheadPercent > 400) {
            throw new IllegalArgumentException("overheadPercent must be within 0..400, got " + overheadPercent);
        }
        if (minParity < 0 || minParity > 128) {
            throw new IllegalArgumentException("minParity must be within 0..128, got " + minParity);
        }
    }

    public int parityFor(int dataShards) {
        int m = Math.max(minParity, (dataShards * overheadPercent + 99) / 100);
        return Math.min(m, 255 - dataShards);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "shard=%dB k<=%d overhead=%d%% minParity=%d",
                shardSize, maxDataShards, overheadPercent, minParity);
    }
}
