package dev.airlock.diode.fec;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sender-side FEC settings. The parity of a block of k data shards is the smallest m with
 * <ul>
 * <li>m ≥ minParity and m ≥ ceil(k · overheadPercent / 100) (the configured floor), and</li>
 * <li>P(more than m of the k + m shards lost) ≤ {@link #TARGET_BLOCK_LOSS} when each datagram is lost independently
 * with probability {@code designLoss} (binomial tail),</li>
 * </ul>
 * capped so that k + m ≤ 255. The second rule sizes small and mid-size blocks, where a flat percentage gives too few
 * parity shards (README "Choosing the FEC defaults"). The receiver needs none of this: every datagram carries its
 * block's k and m.
 *
 * @param shardSize       payload bytes per datagram (the last data shard of a message is zero-padded)
 * @param maxDataShards   largest k of one block; a message with more chunks is split into near-equal blocks
 * @param overheadPercent floor of parity shards as a percentage of a block's data shards
 * @param minParity       floor of parity shards per block
 * @param designLoss      the i.i.d. datagram loss rate the code is sized for (0 disables the binomial rule)
 */
public record FecParams(int shardSize, int maxDataShards, int overheadPercent, int minParity, double designLoss) {
    /** Target probability that one FEC block cannot be repaired at the design loss rate. */
    public static final double TARGET_BLOCK_LOSS = 1e-7;
    /** Defaults chosen in diode-bridge/README.md ("Choosing the FEC defaults"). */
    public static final FecParams DEFAULT = new FecParams(1360, 128, 10, 2, 0.01);

    private static final Map<FecParams, int[]> CACHE = new ConcurrentHashMap<>();

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
        if (!(designLoss >= 0 && designLoss <= 0.5)) {
            throw new IllegalArgumentException("designLoss must be within 0..0.5, got " + designLoss);
        }
    }

    public int parityFor(int dataShards) {
        if (dataShards < 1 || dataShards > 254) {
            throw new IllegalArgumentException("dataShards must be within 1..254");
        }
        int[] table = CACHE.computeIfAbsent(this, p -> new int[256]);
        int cached = table[dataShards];
        return cached > 0 ? cached - 1 : compute(dataShards, table);
    }

    private int compute(int k, int[] table) {
        int m = Math.max(minParity, (k * overheadPercent + 99) / 100);
        while (m < 255 - k && designLoss > 0 && blockLoss(k + m, m, designLoss) > TARGET_BLOCK_LOSS) {
            m++;
        }
        m = Math.min(m, 255 - k);
        table[k] = m + 1;
        return m;
    }

    /** P(X > m) for X ~ Binomial(n, p): the block is lost when more shards than parity are missing. */
    public static double blockLoss(int n, int m, double p) {
        if (p <= 0) {
            return 0;
        }
        double pmf = Math.pow(1 - p, n);
        double ratio = p / (1 - p);
        double tail = 0;
        for (int i = 0; i < n; i++) {
            pmf = pmf * (n - i) / (i + 1) * ratio;
            if (i + 1 > m) {
                tail += pmf;
            }
        }
        return tail;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "shard=%dB k<=%d overhead>=%d%% minParity=%d designLoss=%.3f",
                shardSize, maxDataShards, overheadPercent, minParity, designLoss);
    }
}
