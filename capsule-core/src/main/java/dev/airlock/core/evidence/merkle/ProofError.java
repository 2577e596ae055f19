package dev.airlock.core.evidence.merkle;

/** Why a Merkle proof was refused (or could not be produced). The evidence service maps these to its responses. */
public enum ProofError {
    /** A hash that is not 32 bytes, a null element, a negative index or size. */
    MALFORMED,
    /** Leaf index not below the tree size (SECURITY-TESTS E.25). */
    INDEX_OUT_OF_RANGE,
    /** Consistency asked from a larger tree to a smaller one (size1 &gt; size2). */
    SIZE_DECREASED,
    /** A proof was asked for a tree larger than the log holds (generation only). */
    SIZE_BEYOND_LOG,
    /** A proof is required for these sizes but none was given. */
    EMPTY_PROOF,
    /** Fewer hashes than the index and sizes require (a truncated proof). */
    PROOF_TOO_SHORT,
    /** More hashes than the index and sizes require (an extended proof). */
    PROOF_TOO_LONG,
    /**
     * The proof does not lead to the expected root: a different entry, a tampered proof, a wrong checkpoint, or (for
     * consistency) a forked or rewritten log.
     */
    ROOT_MISMATCH
}
