package dev.airlock.diode.fec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReedSolomonTest {

    @Test
    void fieldArithmeticIsAField() {
        for (int a = 1; a < 256; a++) {
            assertEquals(1, Gf256.mul(a, Gf256.inv(a)), "a · a⁻¹ for a=" + a);
            assertEquals(a, Gf256.div(Gf256.mul(a, 7), 7));
        }
        // known product for polynomial 0x11D: 0x80 · 2 = 0x100 ^ 0x11D = 0x1D
        assertEquals(0x1D, Gf256.mul(0x80, 2));
    }

    private static byte[][] data(Random r, int k, int len) {
        byte[][] d = new byte[k][len];
        for (byte[] x : d) {
            r.nextBytes(x);
        }
        return d;
    }

    /**
     * The parity bytes are the wire contract: whatever the encoder does to be fast, they must be exactly
     * Σ_j C[i][j] · d_j computed byte by byte from the field's definition (here with {@link Gf256#mul}), for block
     * shapes below and above the point where the encoder switches from table look-ups to powers of two, and for shard
     * lengths that are not a multiple of eight.
     */
    @ParameterizedTest
    @CsvSource({"1,1,1", "3,2,7", "8,3,1360", "8,4,1360", "10,5,97", "128,13,1360", "128,25,1365", "200,55,9"})
    void parityIsTheCauchyProductByteForByte(int k, int m, int len) {
        Random r = new Random(31L * k + m + len);
        byte[][] d = data(r, k, len);
        byte[][] p = new byte[m][len];
        new ReedSolomon(k, m).encode(d, p, len);
        for (int i = 0; i < m; i++) {
            for (int x = 0; x < len; x++) {
                int expected = 0;
                for (int j = 0; j < k; j++) {
                    expected ^= Gf256.mul(Gf256.inv((k + i) ^ j), d[j][x]);
                }
                assertEquals(expected, p[i][x] & 0xff, "parity " + i + " byte " + x);
            }
        }
    }

    @Test
    void multiplyingIntoManyRowsAgreesWithTheTableForEveryCoefficient() {
        Random r = new Random(7);
        int len = 203; // not a multiple of 8: the tail takes the byte-wise path
        byte[] in = new byte[len];
        r.nextBytes(in);
        for (int rows : new int[] {1, Gf256.ROWS_FOR_POWERS - 1, Gf256.ROWS_FOR_POWERS, 16}) {
            for (int base = 0; base < 256; base += rows) {
                int[] coeffs = new int[rows];
                byte[][] fast = new byte[rows][len];
                byte[][] slow = new byte[rows][len];
                for (int i = 0; i < rows; i++) {
                    coeffs[i] = (base + i) & 0xff; // every coefficient, 0 and 1 included
                    r.nextBytes(fast[i]);
                    slow[i] = fast[i].clone();
                    Gf256.mulAdd(coeffs[i], in, slow[i], len);
                }
                Gf256.mulAddRows(coeffs, in, fast, len, new byte[8][len]);
                for (int i = 0; i < rows; i++) {
                    assertArrayEquals(slow[i], fast[i], "coefficient " + coeffs[i] + " with " + rows + " rows");
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,3", "4,3", "10,4", "128,13", "200,55", "64,64"})
    void anyKOfTheShardsRestoreTheData(int k, int m) {
        Random r = new Random(k * 1000L + m);
        int len = 97;
        ReedSolomon rs = new ReedSolomon(k, m);
        for (int trial = 0; trial < 20; trial++) {
            byte[][] d = data(r, k, len);
            byte[][] p = new byte[m][len];
            rs.encode(d, p, len);
            byte[][] shards = new byte[k + m][];
            System.arraycopy(d, 0, shards, 0, k);
            System.arraycopy(p, 0, shards, k, m);
            // erase exactly m random shards (the worst the code can take)
            int erased = 0;
            while (erased < m) {
                int i = r.nextInt(k + m);
                if (shards[i] != null) {
                    shards[i] = null;
                    erased++;
                }
            }
            assertTrue(rs.reconstructData(shards, len));
            for (int j = 0; j < k; j++) {
                assertArrayEquals(d[j], shards[j], "data shard " + j);
            }
        }
    }

    @Test
    void moreErasuresThanParityAreReportedNotGuessed() {
        ReedSolomon rs = new ReedSolomon(5, 2);
        byte[][] d = data(new Random(1), 5, 10);
        byte[][] p = new byte[2][10];
        rs.encode(d, p, 10);
        byte[][] shards = {null, null, null, d[3], d[4], p[0], p[1]};
        assertFalse(rs.reconstructData(shards, 10));
    }

    @Test
    void everyPairOfErasuresInASmallCodeIsRepairable() {
        ReedSolomon rs = new ReedSolomon(6, 2);
        byte[][] d = data(new Random(2), 6, 33);
        byte[][] p = new byte[2][33];
        rs.encode(d, p, 33);
        for (int a = 0; a < 8; a++) {
            for (int b = a + 1; b < 8; b++) {
                byte[][] s = new byte[8][];
                for (int i = 0; i < 6; i++) {
                    s[i] = d[i].clone();
                }
                s[6] = p[0].clone();
                s[7] = p[1].clone();
                s[a] = null;
                s[b] = null;
                assertTrue(rs.reconstructData(s, 33));
                for (int i = 0; i < 6; i++) {
                    assertArrayEquals(d[i], s[i]);
                }
            }
        }
    }

    @Test
    void codeSizeIsBoundedByTheField() {
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomon(200, 57));
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomon(0, 3));
    }

    @Test
    void layoutSplitsFourMebibytesIntoNearEqualBlocks() {
        BlockLayout l = BlockLayout.forSend(4 * 1024 * 1024, FecParams.DEFAULT);
        assertEquals(3085, l.totalData());
        assertEquals(25, l.blocks());
        int sum = 0;
        for (int b = 0; b < l.blocks(); b++) {
            assertTrue(l.dataShards(b) == 123 || l.dataShards(b) == 124);
            sum += l.dataShards(b);
        }
        assertEquals(3085, sum);
        assertEquals(13, FecParams.DEFAULT.parityFor(124));
        assertEquals(3, FecParams.DEFAULT.parityFor(1));
    }

    @Test
    void defaultParityKeepsEveryBlockSizeBelowTheTargetAtOnePercent() {
        for (int k = 1; k <= 128; k++) {
            int m = FecParams.DEFAULT.parityFor(k);
            assertTrue(m >= 2 && m * 100 >= k * 10, "floor for k=" + k);
            double loss = FecParams.blockLoss(k + m, m, 0.01);
            assertTrue(loss <= FecParams.TARGET_BLOCK_LOSS, "k=" + k + " m=" + m + " block loss " + loss);
            // and m is the smallest such value above the floor
            if (m > Math.max(2, (k * 10 + 99) / 100)) {
                assertTrue(FecParams.blockLoss(k + m - 1, m - 1, 0.01) > FecParams.TARGET_BLOCK_LOSS);
            }
        }
        // binomial tail against a hand computation: n=4, m=3, p=0.01 -> p^4
        assertEquals(1e-8, FecParams.blockLoss(4, 3, 0.01), 1e-12);
    }
}
