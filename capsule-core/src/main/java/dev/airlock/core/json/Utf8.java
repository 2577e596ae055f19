package dev.airlock.core.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Well-formed UTF-8 check over a byte array, without decoding. {@link StrictJson#validate} runs it on every signed
 * document (up to 4 MiB) before the parser sees a byte; a {@code CharsetDecoder} would allocate two bytes of chars per
 * input byte only to throw them away.
 * <p>
 * Accepts exactly the byte sequences of Unicode 15, Table 3-7 (Well-Formed UTF-8 Byte Sequences) — which is what the
 * JDK's UTF-8 decoder with {@code CodingErrorAction.REPORT} accepts (Utf8Test holds that decoder as the
 * oracle): no overlong forms, no encoded surrogates U+D800..U+DFFF, nothing above U+10FFFF, no stray continuation
 * bytes, no sequence cut off by the end of the input.
 */
final class Utf8 {

    /** Unaligned little-endian reads are fine for plain {@code get}; little-endian puts byte {@code i} in bits 0..7. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    static boolean isWellFormed(byte[] b) {
        int i = 0;
        final int n = b.length;
        while (i < n) {
            // JSON, base64 payloads included, is almost all ASCII: skip eight bytes per step until a byte has its top bit set.
            if (n - i >= 8) {
                long high = ((long) LONGS.get(b, i)) & HIGH_BITS;
                if (high == 0) {
                    i += 8;
                    continue;
                }
                i += Long.numberOfTrailingZeros(high) >>> 3;
            }
            int b0 = b[i] & 0xff;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            // Table 3-7: the lead byte fixes the length and the allowed range of the second byte; every further byte
            // is 80..BF. C0, C1 (overlong 2-byte) and F5..FF (above U+10FFFF) never lead; 80..BF never lead.
            if (b0 < 0xC2) {
                return false;
            }
            if (b0 < 0xE0) {
                if (n - i < 2 || !isContinuation(b[i + 1])) {
                    return false;
                }
                i += 2;
                continue;
            }
            if (b0 < 0xF0) {
                if (n - i < 3) {
                    return false;
                }
                int b1 = b[i + 1] & 0xff;
                // E0 A0..BF: below that is overlong. ED 80..9F: above that encodes a surrogate D800..DFFF.
                int lo = b0 == 0xE0 ? 0xA0 : 0x80;
                int hi = b0 == 0xED ? 0x9F : 0xBF;
                if (b1 < lo || b1 > hi || !isContinuation(b[i + 2])) {
                    return false;
                }
                i += 3;
                continue;
            }
            if (b0 < 0xF5) {
                if (n - i < 4) {
                    return false;
                }
                int b1 = b[i + 1] & 0xff;
                // F0 90..BF: below that is overlong. F4 80..8F: above that is beyond U+10FFFF.
                int lo = b0 == 0xF0 ? 0x90 : 0x80;
                int hi = b0 == 0xF4 ? 0x8F : 0xBF;
                if (b1 < lo || b1 > hi || !isContinuation(b[i + 2]) || !isContinuation(b[i + 3])) {
                    return false;
                }
                i += 4;
                continue;
            }
            return false;
        }
        return true;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
