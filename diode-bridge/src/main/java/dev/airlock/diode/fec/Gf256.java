package dev.airlock.diode.fec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator 2 — the field
 * used by most Reed–Solomon erasure codes. Addition is XOR; multiplication goes through a full 256×256 table so the
 * inner coding loops are one array load per byte.
 */
public final class Gf256 {
    private static final int POLY = 0x11D;
    private static final byte[] EXP = new byte[512];
    private static final int[] LOG = new int[256];
    /** MUL[a][b] = a·b; a row is the lookup table for "multiply by a". */
    static final byte[][] MUL = new byte[256][256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) {
                x ^= POLY;
            }
        }
        for (int i = 255; i < 512; i++) {
            EXP[i] = EXP[i - 255];
        }
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                MUL[a][b] = (byte) slowMul(a, b);
            }
        }
    }

    private Gf256() {
    }

    private static int slowMul(int a, int b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return EXP[LOG[a] + LOG[b]] & 0xff;
    }

    public static int mul(int a, int b) {
        return MUL[a & 0xff][b & 0xff] & 0xff;
    }

    public static int inv(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(2^8)");
        }
        return EXP[255 - LOG[a]] & 0xff;
    }

    public static int div(int a, int b) {
        if (a == 0) {
            return 0;
        }
        if (b == 0) {
            throw new ArithmeticException("division by 0 in GF(2^8)");
        }
        return EXP[LOG[a] + 255 - LOG[b]] & 0xff;
    }

    /** out[off..off+len) ^= c · in[off..off+len). */
    static void mulAdd(int c, byte[] in, byte[] out, int len) {
        if (c == 0) {
            return;
        }
        if (c == 1) {
            for (int i = 0; i < len; i++) {
                out[i] ^= in[i];
            }
            return;
        }
        byte[] t = MUL[c];
        for (int i = 0; i < len; i++) {
            out[i] ^= t[in[i] & 0xff];
        }
    }

    /**
     * outs[r][0..len) ^= coeffs[r] · in[0..len) for every r: one input shard into several outputs, as in encoding (one
     * data shard into every parity shard) and repair. Same bytes as {@link #mulAdd} row by row, fewer instructions:
     * c · x is the XOR of 2^b · x over the set bits b of c (multiplication distributes over XOR), so the up to eight
     * multiples 2^b · x are computed once per input — eight bytes per step, doubling with the reduction by 0x11D done
     * on a whole {@code long} — and each output then needs only plain XOR passes, which the JIT compiles to SIMD,
     * instead of one table look-up per byte. With few outputs the look-ups are cheaper; see {@link #ROWS_FOR_POWERS}.
     *
     * @param powers scratch of at least 8 arrays of {@code len} bytes (overwritten)
     */
    static void mulAddRows(int[] coeffs, byte[] in, byte[][] outs, int len, byte[][] powers) {
        int rows = outs.length;
        if (rows < ROWS_FOR_POWERS) {
            for (int r = 0; r < rows; r++) {
                mulAdd(coeffs[r], in, outs[r], len);
            }
            return;
        }
        int bits = 0;
        for (int r = 0; r < rows; r++) {
            bits |= coeffs[r] & 0xff;
        }
        int top = 31 - Integer.numberOfLeadingZeros(bits); // highest power of 2 any coefficient needs
        System.arraycopy(in, 0, powers[0], 0, len);
        for (int b = 1; b <= top; b++) {
            times2(powers[b - 1], powers[b], len);
        }
        for (int r = 0; r < rows; r++) {
            byte[] out = outs[r];
            int c = coeffs[r] & 0xff;
            while (c != 0) {
                xor(powers[Integer.numberOfTrailingZeros(c)], out, len);
                c &= c - 1;
            }
        }
    }

    /** Below this many outputs per input, {@link #mulAddRows} uses the look-up table row by row. */
    static final int ROWS_FOR_POWERS = 4;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    private static final long HIGH1 = 0x0101010101010101L;

    /** q = 2 · p in GF(2^8), byte-wise: shift left, and where the top bit fell out, XOR 0x1D (0x11D without x^8). */
    private static void times2(byte[] p, byte[] q, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = (long) LONGS.get(p, i);
            long carry = (v >>> 7) & HIGH1;
            LONGS.set(q, i, ((v & LOW7) << 1) ^ (carry * 0x1D));
        }
        for (; i < len; i++) {
            int x = p[i] & 0xff;
            q[i] = (byte) ((x << 1) ^ ((x >>> 7) * 0x1D));
        }
    }

    private static void xor(byte[] in, byte[] out, int len) {
        for (int i = 0; i < len; i++) {
            out[i] ^= in[i];
        }
    }

    /**
     * Inverts a square matrix in place-copy by Gauss–Jordan elimination.
     *
     * @throws ArithmeticException when the matrix is singular (cannot happen for a Cauchy submatrix)
     */
    static int[][] invert(int[][] m) {
        int n = m.length;
        int[][] a = new int[n][2 * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(m[r], 0, a[r], 0, n);
            a[r][n + r] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && a[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("singular matrix");
            }
            int[] tmp = a[pivot];
            a[pivot] = a[col];
            a[col] = tmp;
            int scale = inv(a[col][col]);
            for (int c = 0; c < 2 * n; c++) {
                a[col][c] = mul(a[col][c], scale);
            }
            for (int r = 0; r < n; r++) {
                if (r != col && a[r][col] != 0) {
                    int f = a[r][col];
                    for (int c = 0; c < 2 * n; c++) {
                        a[r][c] ^= mul(f, a[col][c]);
                    }
                }
            }
        }
        int[][] out = new int[n][n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(a[r], n, out[r], 0, n);
        }
        return out;
    }
}
