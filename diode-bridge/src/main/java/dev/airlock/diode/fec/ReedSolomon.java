package dev.airlock.diode.fec;

import java.util.Locale;

/**
 * Systematic Reed–Solomon erasure code over GF(2^8) for one FEC block of {@code k} data shards and {@code m} parity
 * shards (k + m ≤ 256), all of the same length.
 *
 * <p>The generator is [I_k ; C] with the m×k Cauchy matrix C[i][j] = 1 / (x_i + y_j), y_j = j, x_i = k + i. Every
 * square submatrix of a Cauchy matrix is non-singular, so <em>any</em> k of the k + m shards reconstruct the block.
 * Written from the textbook construction (Blömer et al., "An XOR-based erasure-resilient coding scheme", 1995);
 * the matrix is part of the wire contract (diode-bridge/README.md), a receiver must use the same one.
 *
 * <p>Repair solves only for the missing data shards: with E the e missing data indices and P e received parity
 * indices, parity_p − Σ_{j∉E} C[p][j]·d_j = Σ_{j∈E} C[p][j]·d_j, an e×e Cauchy system. Cost ≈ e·k multiply-adds per
 * byte, the same order as encoding, instead of inverting a k×k matrix.
 */
public final class ReedSolomon {
    public static final int MAX_SHARDS = 256;

    private final int k;
    private final int m;
    private final int[][] cauchy;

    public ReedSolomon(int dataShards, int parityShards) {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > MAX_SHARDS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "need 1 <= k and k + m <= %d, got k=%d m=%d", MAX_SHARDS, dataShards, parityShards));
        }
        this.k = dataShards;
        this.m = parityShards;
        this.cauchy = new int[m][k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                cauchy[i][j] = Gf256.inv((k + i) ^ j);
            }
        }
    }

    public int dataShards() {
        return k;
    }

    public int parityShards() {
        return m;
    }

    /** Computes the m parity shards from the k data shards (each {@code len} bytes). */
    public void encode(byte[][] data, byte[][] parity, int len) {
        if (data.length != k || parity.length != m) {
            throw new IllegalArgumentException("shard count does not match the code");
        }
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(parity[i], 0, len, (byte) 0);
        }
        if (m == 0) {
            return;
        }
        byte[][] powers = new byte[8][len];
        int[] column = new int[m];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m; i++) {
                column[i] = cauchy[i][j];
            }
            Gf256.mulAddRows(column, data[j], parity, len, powers);
        }
    }

    /**
     * Restores the missing data shards in place. {@code shards[0..k)} are data, {@code shards[k..k+m)} parity; a
     * missing shard is {@code null}. Missing parity shards are not recomputed (nobody needs them).
     *
     * @return false when fewer than k shards are present (the block cannot be repaired)
     */
    public boolean reconstructData(byte[][] shards, int len) {
        if (shards.length != k + m) {
            throw new IllegalArgumentException("shard count does not match the code");
        }
        int[] missing = new int[k];
        int e = 0;
        for (int j = 0; j < k; j++) {
            if (shards[j] == null) {
                missing[e++] = j;
            }
        }
        if (e == 0) {
            return true;
        }
        int[] rows = new int[e];
        int found = 0;
        for (int i = 0; i < m && found < e; i++) {
            if (shards[k + i] != null) {
                rows[found++] = i;
            }
        }
        if (found < e) {
            return false;
        }
        int[][] a = new int[e][e];
        for (int r = 0; r < e; r++) {
            for (int c = 0; c < e; c++) {
                a[r][c] = cauchy[rows[r]][missing[c]];
            }
        }
        int[][] ainv = Gf256.invert(a);
        // syndromes: received parity minus the contribution of the data shards we do have
        byte[][] syn = new byte[e][];
        for (int r = 0; r < e; r++) {
            syn[r] = java.util.Arrays.copyOf(shards[k + rows[r]], len);
        }
        byte[][] powers = new byte[8][len];
        int[] column = new int[e];
        for (int j = 0; j < k; j++) {
            if (shards[j] != null) {
                for (int r = 0; r < e; r++) {
                    column[r] = cauchy[rows[r]][j];
                }
                Gf256.mulAddRows(column, shards[j], syn, len, powers);
            }
        }
        byte[][] out = new byte[e][len];
        for (int r = 0; r < e; r++) {
            for (int c = 0; c < e; c++) {
                column[c] = ainv[c][r];
            }
            Gf256.mulAddRows(column, syn[r], out, len, powers);
        }
        for (int c = 0; c < e; c++) {
            shards[missing[c]] = out[c];
        }
        return true;
    }
}
