package dev.airlock.core.crypto;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Strict DER for ECDSA signatures: {@code SEQUENCE { INTEGER r, INTEGER s }} with definite short-form lengths, minimal
 * positive integers and nothing after the sequence. Anything BER-ish is refused so a signature has one encoding.
 */
final class StrictDer {
    static final class DerException extends Exception {
        private static final long serialVersionUID = 1L;

        DerException(String m) {
            super(m, null, false, false);
        }
    }

    static final class LengthException extends Exception {
        private static final long serialVersionUID = 1L;

        LengthException(String m) {
            super(m, null, false, false);
        }
    }

    private StrictDer() {
    }

    /** Max: 2 + 2 * (2 + 33) = 72 bytes for P-256. Min: 30 06 02 01 xx 02 01 yy = 8 bytes. */
    static BigInteger[] decodeEcdsa(byte[] der) throws DerException, LengthException {
        if (der.length < 8 || der.length > 72) {
            throw new LengthException("ECDSA P-256 DER signature must be 8..72 bytes");
        }
        if (der[0] != 0x30) {
            throw new DerException("not a SEQUENCE");
        }
        int len = der[1] & 0xff;
        if (len >= 0x80 || len != der.length - 2) {
            throw new DerException("sequence length is not the exact short-form length");
        }
        int[] pos = {2};
        BigInteger r = readInteger(der, pos);
        BigInteger s = readInteger(der, pos);
        if (pos[0] != der.length) {
            throw new DerException("trailing bytes inside the sequence");
        }
        return new BigInteger[] {r, s};
    }

    private static BigInteger readInteger(byte[] der, int[] pos) throws DerException {
        int p = pos[0];
        if (p + 2 > der.length || der[p] != 0x02) {
            throw new DerException("expected INTEGER");
        }
        int len = der[p + 1] & 0xff;
        if (len == 0 || len >= 0x80 || len > 33 || p + 2 + len > der.length) {
            throw new DerException("bad INTEGER length");
        }
        byte[] v = Arrays.copyOfRange(der, p + 2, p + 2 + len);
        if ((v[0] & 0x80) != 0) {
            throw new DerException("negative INTEGER");
        }
        if (v.length > 1 && v[0] == 0 && (v[1] & 0x80) == 0) {
            throw new DerException("INTEGER not minimally encoded");
        }
        pos[0] = p + 2 + len;
        return new BigInteger(1, v);
    }

    static byte[] encodeEcdsa(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        byte[] out = new byte[6 + rb.length + sb.length];
        out[0] = 0x30;
        out[1] = (byte) (4 + rb.length + sb.length);
        out[2] = 0x02;
        out[3] = (byte) rb.length;
        System.arraycopy(rb, 0, out, 4, rb.length);
        out[4 + rb.length] = 0x02;
        out[5 + rb.length] = (byte) sb.length;
        System.arraycopy(sb, 0, out, 6 + rb.length, sb.length);
        return out;
    }
}
