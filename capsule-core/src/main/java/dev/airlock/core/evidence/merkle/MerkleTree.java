package dev.airlock.core.evidence.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Tree heads and proofs (RFC 9162 §2.1) over a {@link LeafHashSource}, for any size up to the source's current size.
 *
 * <p>Choice of algorithm: the RFC's recursive definitions (MTH, PATH, SUBPROOF), with every sub-range that is a
 * complete, aligned power-of-two subtree answered by {@link #subtreeHash(int, long)}, which asks the source's cache
 * first. In the RFC's recursion every range starts at a multiple of a power of two at least its length, so a range of
 * n leaves splits into at most ⌈log2 n⌉ complete subtrees, and a proof's path has at most one incomplete sibling (the
 * right edge). With complete subtrees cached, a tree head, an inclusion proof and a consistency proof therefore cost
 * O(log n) fetches and hashes each: about 40 for 10^6 leaves. Complete subtrees never change in an append-only log, so
 * the cache needs no invalidation, and {@link #completedSubtrees(long)} gives the O(log n) rows to add per append (the
 * same role as a compact range / frontier, but stored, so old sizes stay provable).
 *
 * <p>Instances are as thread-safe as their source.
 */
public final class MerkleTree {

    private final LeafHashSource source;

    public MerkleTree(LeafHashSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** MTH of the first {@code size} leaves; the empty tree's root is {@code SHA-256("")} (RFC 9162 §2.1.1). */
    public byte[] rootHash(long size) throws ProofException {
        checkSize(size);
        return size == 0 ? MerkleHash.emptyRoot() : rangeHash(0, size);
    }

    /** PATH(index, D[size]) (RFC 9162 §2.1.3.1), ordered from the leaf's sibling up to the root's child. */
    public List<byte[]> inclusionProof(long index, long size) throws ProofException {
        checkSize(size);
        if (index < 0 || index >= size) {
            throw new ProofException(ProofError.INDEX_OUT_OF_RANGE, String.format(Locale.ROOT,
                    "leaf index %d is not in a tree of size %d", index, size));
        }
        List<byte[]> proof = new ArrayList<>(64);
        path(index, 0, size, proof);
        return proof;
    }

    /** PROOF(oldSize, D[newSize]) (RFC 9162 §2.1.4.1); empty when {@code oldSize} is 0 or equals {@code newSize}. */
    public List<byte[]> consistencyProof(long oldSize, long newSize) throws ProofException {
        checkSize(newSize);
        if (oldSize < 0) {
            throw new ProofException(ProofError.MALFORMED, "negative tree size " + oldSize);
        }
        if (oldSize > newSize) {
            throw new ProofException(ProofError.SIZE_DECREASED, String.format(Locale.ROOT,
                    "cannot prove consistency from size %d to the smaller size %d", oldSize, newSize));
        }
        List<byte[]> proof = new ArrayList<>(64);
        if (oldSize > 0 && oldSize < newSize) {
            subproof(oldSize, 0, newSize, true, proof);
        }
        return proof;
    }

    /**
     * The hash of complete subtree {@code (level, index)} (leaves {@code [index·2^level, (index+1)·2^level)}), from the
     * source's cache when it has it, else computed from below.
     */
    public byte[] subtreeHash(int level, long index) {
        if (level == 0) {
            return checked(source.leafHash(index), "leaf hash", 0, index);
        }
        byte[] cached = source.cachedSubtreeHash(level, index);
        if (cached != null) {
            return checked(cached, "cached subtree hash", level, index);
        }
        return MerkleHash.nodeHash(subtreeHash(level - 1, 2 * index), subtreeHash(level - 1, 2 * index + 1));
    }

    /**
     * The complete subtrees that appending leaf {@code leafIndex} completes (one per trailing one-bit of the index),
     * lowest level first, for a caching source to store once the leaf is stored. Each costs one cached fetch and one
     * hash, since its left half was completed (and stored) earlier.
     */
    public List<SubtreeHash> completedSubtrees(long leafIndex) {
        if (leafIndex < 0 || leafIndex >= source.size()) {
            throw new IllegalArgumentException("leaf " + leafIndex + " is not in the log");
        }
        List<SubtreeHash> out = new ArrayList<>();
        byte[] hash = subtreeHash(0, leafIndex);
        long index = leafIndex;
        int level = 0;
        while ((index & 1) == 1) {
            hash = MerkleHash.nodeHash(subtreeHash(level, index - 1), hash);
            index >>= 1;
            level++;
            out.add(new SubtreeHash(level, index, hash));
        }
        return out;
    }

    /** PATH(m, D[start : start + n]) appended bottom-up. */
    private void path(long m, long start, long n, List<byte[]> out) {
        if (n == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(m, start, k, out);
            out.add(rangeHash(start + k, n - k));
        } else {
            path(m - k, start + k, n - k, out);
            out.add(rangeHash(start, k));
        }
    }

    /** SUBPROOF(m, D[start : start + n], b) appended bottom-up. */
    private void subproof(long m, long start, long n, boolean complete, List<byte[]> out) {
        if (m == n) {
            if (!complete) {
                out.add(rangeHash(start, n));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(m, start, k, complete, out);
            out.add(rangeHash(start + k, n - k));
        } else {
            subproof(m - k, start + k, n - k, false, out);
            out.add(rangeHash(start, k));
        }
    }

    /** MTH(D[start : start + n]), n ≥ 1. */
    private byte[] rangeHash(long start, long n) {
        if (Long.bitCount(n) == 1 && start % n == 0) {
            int level = Long.numberOfTrailingZeros(n);
            return subtreeHash(level, start >> level);
        }
        long k = largestPowerOfTwoBelow(n);
        return MerkleHash.nodeHash(rangeHash(start, k), rangeHash(start + k, n - k));
    }

    /** The largest power of two strictly smaller than n (n ≥ 2), the split point k of RFC 9162 §2.1.1. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private void checkSize(long size) throws ProofException {
        if (size < 0) {
            throw new ProofException(ProofError.MALFORMED, "negative tree size " + size);
        }
        long available = source.size();
        if (size > available) {
            throw new ProofException(ProofError.SIZE_BEYOND_LOG, String.format(Locale.ROOT,
                    "tree size %d asked, the log holds %d leaves", size, available));
        }
    }

    private static byte[] checked(byte[] hash, String what, int level, long index) {
        if (hash == null || hash.length != MerkleHash.HASH_BYTES) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "leaf hash source returned a bad %s at level %d index %d", what, level, index));
        }
        return hash;
    }
}
