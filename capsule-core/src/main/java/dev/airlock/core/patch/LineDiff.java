package dev.airlock.core.patch;

import java.util.ArrayList;
import java.util.List;

/**
 * A longest-common-subsequence line diff over interned line ids. The common prefix and suffix are stripped first
 * (a dependency bump touches a line or two of a large file, which then costs O(n)); the middle is solved with
 * Hirschberg's linear-space divide and conquer, O(n·m) time and O(n + m) memory, which keeps files of a few thousand
 * entirely different lines well under a second without the quadratic memory of a full LCS table.
 */
final class LineDiff {

    private LineDiff() {
    }

    /** Index pairs {@code (i, j)} with {@code a[i] == b[j]} forming a longest common subsequence, in order. */
    static List<int[]> matches(int[] a, int[] b) {
        List<int[]> out = new ArrayList<>();
        int prefix = 0;
        while (prefix < a.length && prefix < b.length && a[prefix] == b[prefix]) {
            out.add(new int[] {prefix, prefix});
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.length - prefix && suffix < b.length - prefix
                && a[a.length - 1 - suffix] == b[b.length - 1 - suffix]) {
            suffix++;
        }
        hirschberg(a, prefix, a.length - suffix, b, prefix, b.length - suffix, out);
        for (int k = suffix; k > 0; k--) {
            out.add(new int[] {a.length - k, b.length - k});
        }
        return out;
    }

    private static void hirschberg(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi, List<int[]> out) {
        if (aLo >= aHi || bLo >= bHi) {
            return;
        }
        if (aHi - aLo == 1) {
            for (int j = bLo; j < bHi; j++) {
                if (b[j] == a[aLo]) {
                    out.add(new int[] {aLo, j});
                    return;
                }
            }
            return;
        }
        int mid = (aLo + aHi) >>> 1;
        int[] forward = forwardLengths(a, aLo, mid, b, bLo, bHi);
        int[] backward = backwardLengths(a, mid, aHi, b, bLo, bHi);
        int best = -1;
        int split = bLo;
        for (int k = 0; k <= bHi - bLo; k++) {
            int total = forward[k] + backward[k];
            if (total > best) {
                best = total;
                split = bLo + k;
            }
        }
        hirschberg(a, aLo, mid, b, bLo, split, out);
        hirschberg(a, mid, aHi, b, split, bHi, out);
    }

    /** {@code row[k]} = LCS length of {@code a[aLo, aHi)} and {@code b[bLo, bLo + k)}. */
    private static int[] forwardLengths(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi) {
        int m = bHi - bLo;
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int i = aLo; i < aHi; i++) {
            cur[0] = 0;
            for (int k = 1; k <= m; k++) {
                cur[k] = a[i] == b[bLo + k - 1] ? prev[k - 1] + 1 : Math.max(prev[k], cur[k - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev;
    }

    /** {@code row[k]} = LCS length of {@code a[aLo, aHi)} and {@code b[bLo + k, bHi)}. */
    private static int[] backwardLengths(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi) {
        int m = bHi - bLo;
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int i = aHi - 1; i >= aLo; i--) {
            cur[m] = 0;
            for (int k = m - 1; k >= 0; k--) {
                cur[k] = a[i] == b[bLo + k] ? prev[k + 1] + 1 : Math.max(prev[k], cur[k + 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev;
    }
}
