package dev.airlock.core.evidence.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only log held in memory, caching every complete subtree (2n hashes, 64 bytes per leaf, in flat arrays),
 * for tests, the CLI and small logs. Thread-safe.
 */
public final class InMemoryMerkleLog implements LeafHashSource {

    /** Level {@code l} holds the hashes of the complete subtrees of 2^l leaves, in order, 32 bytes each. */
    private final List<byte[]> levels = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();

    /** Appends an entry (e.g. an evidence bundle's DSSE bytes); returns its leaf index. */
    public long append(byte[] entry) {
        return appendLeafHash(MerkleHash.leafHash(entry));
    }

    /** Appends an already computed leaf hash; returns its leaf index. */
    public synchronized long appendLeafHash(byte[] leafHash) {
        if (leafHash == null || leafHash.length != MerkleHash.HASH_BYTES) {
            throw new IllegalArgumentException("a leaf hash is 32 bytes");
        }
        long index = add(0, leafHash);
        byte[] hash = leafHash;
        long i = index;
        int level = 0;
        while ((i & 1) == 1) {
            hash = MerkleHash.nodeHash(get(level, i - 1), hash);
            i >>= 1;
            level++;
            add(level, hash);
        }
        return index;
    }

    /** A tree over this log. */
    public MerkleTree tree() {
        return new MerkleTree(this);
    }

    @Override
    public synchronized long size() {
        return counts.isEmpty() ? 0 : counts.get(0);
    }

    @Override
    public synchronized byte[] leafHash(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("leaf " + index + " of " + size());
        }
        return get(0, index);
    }

    @Override
    public synchronized byte[] cachedSubtreeHash(int level, long index) {
        if (level < 0 || level >= levels.size() || index < 0 || index >= counts.get(level)) {
            return null;
        }
        return get(level, index);
    }

    private byte[] get(int level, long index) {
        int off = Math.toIntExact(index * MerkleHash.HASH_BYTES);
        return Arrays.copyOfRange(levels.get(level), off, off + MerkleHash.HASH_BYTES);
    }

    private long add(int level, byte[] hash) {
        if (level == levels.size()) {
            levels.add(new byte[MerkleHash.HASH_BYTES * 16]);
            counts.add(0);
        }
        int count = counts.get(level);
        byte[] data = levels.get(level);
        long needed = (long) (count + 1) * MerkleHash.HASH_BYTES;
        if (needed > data.length) {
            long grown = Math.max(needed, Math.min((long) data.length * 2, Integer.MAX_VALUE - 64));
            if (grown < needed || needed > Integer.MAX_VALUE - 64) {
                throw new IllegalStateException("in-memory log is full");
            }
            data = Arrays.copyOf(data, (int) grown);
            levels.set(level, data);
        }
        System.arraycopy(hash, 0, data, count * MerkleHash.HASH_BYTES, MerkleHash.HASH_BYTES);
        counts.set(level, count + 1);
        return count;
    }
}
