package dev.airlock.core.evidence.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Verification of inclusion (RFC 9162 §2.1.3.2) and consistency (§2.1.4.2) proofs, implemented step for step as the
 * RFC writes them. Before running the algorithm the proof's length is compared with the length the index and sizes
 * require (computed by running the same loop without hashing), so that a truncated or extended proof gets a precise
 * error; the RFC's own checks remain in place and would refuse it anyway.
 *
 * <p>What verification proves depends on the root: callers must take {@code root}/{@code root1}/{@code root2} from a
 * checkpoint whose signature they verified (SECURITY-TESTS E.24), never from the party that sent the proof.
 */
public final class MerkleVerifier {

    private MerkleVerifier() {
    }

    /** Succeeds only if {@code leafHash} is leaf {@code index} of the tree of {@code size} leaves with {@code root}. */
    public static void verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root)
            throws ProofException {
        checkHash(root, "root");
        byte[] computed = rootFromInclusionProof(leafHash, index, size, proof);
        if (!MessageDigest.isEqual(computed, root)) {
            throw new ProofException(ProofError.ROOT_MISMATCH, String.format(Locale.ROOT,
                    "inclusion proof for leaf %d in a tree of size %d does not lead to the expected root", index,
                    size));
        }
    }

    /** The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-4). */
    public static byte[] rootFromInclusionProof(byte[] leafHash, long index, long size, List<byte[]> proof)
            throws ProofException {
        checkHash(leafHash, "leaf hash");
        checkProof(proof);
        if (index < 0 || size < 0) {
            throw new ProofException(ProofError.MALFORMED, "negative leaf index or tree size");
        }
        // Step 1.
        if (index >= size) {
            throw new ProofException(ProofError.INDEX_OUT_OF_RANGE, String.format(Locale.ROOT,
                    "leaf index %d is not in a tree of size %d", index, size));
        }
        checkLength(proof.size(), inclusionProofLength(index, size),
                String.format(Locale.ROOT, "inclusion proof for leaf %d in a tree of size %d", index, size));
        // Steps 2 and 3.
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        // Step 4.
        for (byte[] p : proof) {
            if (sn == 0) {
                throw new ProofException(ProofError.PROOF_TOO_LONG, "inclusion proof continues past the root");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleHash.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = MerkleHash.nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // Step 5 (the root comparison is the caller's).
        if (sn != 0) {
            throw new ProofException(ProofError.PROOF_TOO_SHORT, "inclusion proof stops below the root");
        }
        return r;
    }

    /**
     * Succeeds only if the tree of {@code size2} leaves with {@code root2} extends the tree of {@code size1} leaves with
     * {@code root1}: same first {@code size1} leaves, in the same order. Equal sizes need an empty proof and equal
     * roots; size 0 needs an empty proof and the empty tree's root.
     */
    public static void verifyConsistency(long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2)
            throws ProofException {
        checkHash(root1, "first root");
        checkHash(root2, "second root");
        checkProof(proof);
        if (size1 < 0 || size2 < 0) {
            throw new ProofException(ProofError.MALFORMED, "negative tree size");
        }
        if (size1 > size2) {
            throw new ProofException(ProofError.SIZE_DECREASED, String.format(Locale.ROOT,
                    "tree size went down from %d to %d (truncated log)", size1, size2));
        }
        if (size1 == size2 || size1 == 0) {
            // Outside the RFC's algorithm (it assumes 0 < size1 < size2): nothing to prove but the roots themselves.
            if (!proof.isEmpty()) {
                throw new ProofException(ProofError.PROOF_TOO_LONG, String.format(Locale.ROOT,
                        "consistency from size %d to %d needs an empty proof, got %d hashes", size1, size2,
                        proof.size()));
            }
            byte[] expected = size1 == 0 ? MerkleHash.emptyRoot() : root2;
            if (!MessageDigest.isEqual(root1, expected)) {
                throw new ProofException(ProofError.ROOT_MISMATCH, size1 == 0
                        ? "a tree of size 0 has the empty root"
                        : String.format(Locale.ROOT, "two roots for the same size %d (forked log)", size1));
            }
            return;
        }
        // Step 1.
        if (proof.isEmpty()) {
            throw new ProofException(ProofError.EMPTY_PROOF, String.format(Locale.ROOT,
                    "consistency from size %d to %d needs a proof", size1, size2));
        }
        checkLength(proof.size(), consistencyProofLength(size1, size2),
                String.format(Locale.ROOT, "consistency proof from size %d to %d", size1, size2));
        // Step 2.
        List<byte[]> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(size1) == 1) {
            path.add(root1);
        }
        path.addAll(proof);
        // Step 3.
        long fn = size1 - 1;
        long sn = size2 - 1;
        // Step 4.
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        // Step 5.
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        // Step 6.
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                throw new ProofException(ProofError.PROOF_TOO_LONG, "consistency proof continues past the root");
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleHash.nodeHash(c, fr);
                sr = MerkleHash.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = MerkleHash.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // Step 7.
        if (sn != 0) {
            throw new ProofException(ProofError.PROOF_TOO_SHORT, "consistency proof stops below the root");
        }
        if (!MessageDigest.isEqual(fr, root1)) {
            throw new ProofException(ProofError.ROOT_MISMATCH, String.format(Locale.ROOT,
                    "consistency proof does not lead to the root of size %d (the logs differ in their first %d "
                            + "entries: forked or rewritten)", size1, size1));
        }
        if (!MessageDigest.isEqual(sr, root2)) {
            throw new ProofException(ProofError.ROOT_MISMATCH, String.format(Locale.ROOT,
                    "consistency proof does not lead to the root of size %d", size2));
        }
    }

    /** How many hashes an inclusion proof for {@code index} in a tree of {@code size} has (0 ≤ index &lt; size). */
    public static int inclusionProofLength(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index not in tree");
        }
        return steps(index, size - 1);
    }

    /** How many hashes a consistency proof from {@code size1} to {@code size2} has (0 ≤ size1 ≤ size2). */
    public static int consistencyProofLength(long size1, long size2) {
        if (size1 < 0 || size1 > size2) {
            throw new IllegalArgumentException("sizes out of order");
        }
        if (size1 == 0 || size1 == size2) {
            return 0;
        }
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        int steps = steps(fn, sn);
        // The RFC seeds from the proof's first hash, or from root1 when size1 is a power of two.
        return Long.bitCount(size1) == 1 ? steps : steps + 1;
    }

    /** The number of iterations of the RFC's step loop from (fn, sn) until sn reaches 0. */
    private static int steps(long fn, long sn) {
        int count = 0;
        while (sn != 0) {
            if (((fn & 1) == 1 || fn == sn) && (fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            fn >>= 1;
            sn >>= 1;
            count++;
        }
        return count;
    }

    private static void checkLength(int actual, int expected, String what) throws ProofException {
        if (actual < expected) {
            throw new ProofException(ProofError.PROOF_TOO_SHORT, String.format(Locale.ROOT,
                    "%s needs %d hashes, got %d", what, expected, actual));
        }
        if (actual > expected) {
            throw new ProofException(ProofError.PROOF_TOO_LONG, String.format(Locale.ROOT,
                    "%s needs %d hashes, got %d", what, expected, actual));
        }
    }

    private static void checkProof(List<byte[]> proof) throws ProofException {
        if (proof == null) {
            throw new ProofException(ProofError.MALFORMED, "no proof");
        }
        for (int i = 0; i < proof.size(); i++) {
            byte[] h = proof.get(i);
            if (h == null || h.length != MerkleHash.HASH_BYTES) {
                throw new ProofException(ProofError.MALFORMED, String.format(Locale.ROOT,
                        "proof hash %d is not %d bytes", i, MerkleHash.HASH_BYTES));
            }
        }
    }

    private static void checkHash(byte[] hash, String what) throws ProofException {
        if (hash == null || hash.length != MerkleHash.HASH_BYTES) {
            throw new ProofException(ProofError.MALFORMED, what + " is not " + MerkleHash.HASH_BYTES + " bytes");
        }
    }
}
