package dev.airlock.core.evidence.merkle;

/**
 * Where {@link MerkleTree} reads a log's leaves from: memory ({@link InMemoryMerkleLog}) or the evidence service's
 * database.
 *
 * <p>Tree addressing: the <em>complete subtree</em> {@code (level, index)} covers leaves
 * {@code [index · 2^level, (index + 1) · 2^level)}; level 0 is a leaf. A source that caches the hashes of complete
 * subtrees (they never change once complete, since the log is append-only) makes every tree head and proof cost
 * O(log n) hash fetches; {@link MerkleTree#completedSubtrees(long)} lists what to store after each append. A source
 * that caches nothing still gets correct answers, in O(n).
 */
public interface LeafHashSource {

    /** Number of leaves currently in the log. */
    long size();

    /** The RFC 9162 leaf hash ({@code SHA-256(0x00 ‖ entry)}) of leaf {@code index}, {@code 0 ≤ index < size()}. */
    byte[] leafHash(long index);

    /**
     * The hash of complete subtree {@code (level, index)} for {@code level ≥ 1}, or null when this source has not
     * cached it. Only complete subtrees may be returned.
     */
    default byte[] cachedSubtreeHash(int level, long index) {
        return null;
    }
}
