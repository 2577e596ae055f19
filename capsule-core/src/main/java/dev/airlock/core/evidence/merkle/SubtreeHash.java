package dev.airlock.core.evidence.merkle;

/**
 * The hash of complete subtree {@code (level, index)}, covering leaves {@code [index · 2^level, (index + 1) · 2^level)}
 * (see {@link LeafHashSource}). A row a database-backed log stores to make proofs O(log n).
 */
public record SubtreeHash(int level, long index, byte[] hash) {
    public SubtreeHash {
        if (level < 0 || level > 62 || index < 0) {
            throw new IllegalArgumentException("bad subtree address");
        }
        if (hash == null || hash.length != MerkleHash.HASH_BYTES) {
            throw new IllegalArgumentException("a subtree hash is 32 bytes");
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubtreeHash s && s.level == level && s.index == index
                && java.util.Arrays.equals(s.hash, hash);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(level, index, java.util.Arrays.hashCode(hash));
    }

    @Override
    public String toString() {
        return "SubtreeHash[level=" + level + ", index=" + index + ", hash=" + java.util.HexFormat.of().formatHex(hash)
                + "]";
    }
}
