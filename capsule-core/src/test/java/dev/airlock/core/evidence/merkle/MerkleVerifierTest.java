package dev.airlock.core.evidence.merkle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS E.25 and E.26: what a verifier must refuse. */
class MerkleVerifierTest {

    private static final byte[] SOME_HASH = MerkleHash.leafHash("some".getBytes(StandardCharsets.UTF_8));

    private static InMemoryMerkleLog log(int n, String prefix) {
        InMemoryMerkleLog log = new InMemoryMerkleLog();
        for (int i = 0; i < n; i++) {
            log.append((prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        return log;
    }

    private static ProofError refusal(Executable verification) {
        return assertThrows(ProofException.class, verification).error();
    }

    private static List<byte[]> with(List<byte[]> proof, int at, byte[] extra) {
        List<byte[]> out = new ArrayList<>(proof);
        out.add(at, extra);
        return out;
    }

    @Test
    void leafIndexAtOrBeyondTheTreeSizeIsRefused() throws ProofException {
        MerkleTree tree = log(8, "e").tree();
        byte[] root = tree.rootHash(8);
        List<byte[]> proof = tree.inclusionProof(7, 8);
        byte[] leaf = MerkleHash.leafHash("e7".getBytes(StandardCharsets.UTF_8));
        MerkleVerifier.verifyInclusion(leaf, 7, 8, proof, root);
        assertEquals(ProofError.INDEX_OUT_OF_RANGE, refusal(() -> MerkleVerifier.verifyInclusion(leaf, 8, 8, proof,
                root)));
        assertEquals(ProofError.INDEX_OUT_OF_RANGE, refusal(() -> MerkleVerifier.verifyInclusion(leaf, 9, 8, proof,
                root)));
        assertEquals(ProofError.INDEX_OUT_OF_RANGE, refusal(() -> MerkleVerifier.verifyInclusion(leaf, 0, 0,
                List.of(), MerkleHash.emptyRoot())));
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyInclusion(leaf, -1, 8, proof, root)));
    }

    @Test
    void inclusionProofOneHashShortOrLongIsRefusedForEveryLeafAndSize() throws ProofException {
        InMemoryMerkleLog log = log(33, "x");
        MerkleTree tree = log.tree();
        for (int n = 1; n <= 33; n++) {
            byte[] root = tree.rootHash(n);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = tree.inclusionProof(m, n);
                byte[] leaf = log.leafHash(m);
                int index = m;
                int size = n;
                if (!proof.isEmpty()) {
                    List<byte[]> shorter = proof.subList(0, proof.size() - 1);
                    assertEquals(ProofError.PROOF_TOO_SHORT, refusal(() -> MerkleVerifier.verifyInclusion(leaf,
                            index, size, shorter, root)));
                    List<byte[]> headless = proof.subList(1, proof.size());
                    assertEquals(ProofError.PROOF_TOO_SHORT, refusal(() -> MerkleVerifier.verifyInclusion(leaf,
                            index, size, headless, root)));
                }
                assertEquals(ProofError.PROOF_TOO_LONG, refusal(() -> MerkleVerifier.verifyInclusion(leaf, index,
                        size, with(proof, proof.size(), root), root)));
                assertEquals(ProofError.PROOF_TOO_LONG, refusal(() -> MerkleVerifier.verifyInclusion(leaf, index,
                        size, with(proof, 0, SOME_HASH), root)));
            }
        }
    }

    @Test
    void everyCorruptionOfAValidInclusionProofIsRefused() throws ProofException {
        // The probes of transparency-dev/merkle's corruptInclusionProof, on every leaf of trees up to 17.
        InMemoryMerkleLog log = log(17, "c");
        MerkleTree tree = log.tree();
        for (int n = 1; n <= 17; n++) {
            byte[] root = tree.rootHash(n);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = tree.inclusionProof(m, n);
                byte[] leaf = log.leafHash(m);
                MerkleVerifier.verifyInclusion(leaf, m, n, proof, root);
                List<Executable> probes = new ArrayList<>();
                int index = m;
                int size = n;
                if (m > 0) {
                    probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index - 1, size, proof, root));
                }
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index + 1, size, proof, root));
                if ((index ^ 2) != index) {
                    probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index ^ 2, size, proof, root));
                }
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size * 2, proof, root));
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size / 2, proof, root));
                probes.add(() -> MerkleVerifier.verifyInclusion(SOME_HASH, index, size, proof, root));
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size, proof, MerkleHash.emptyRoot()));
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size, proof, SOME_HASH));
                probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size, with(proof, proof.size(),
                        new byte[0]), root));
                for (int i = 0; i < proof.size(); i++) {
                    List<byte[]> flipped = new ArrayList<>(proof);
                    byte[] h = flipped.get(i).clone();
                    h[0] ^= 8;
                    flipped.set(i, h);
                    probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size, flipped, root));
                }
                if (proof.size() > 1) {
                    List<byte[]> inserted = with(proof, 1, SOME_HASH);
                    probes.add(() -> MerkleVerifier.verifyInclusion(leaf, index, size, inserted, root));
                }
                for (Executable probe : probes) {
                    assertThrows(ProofException.class, probe, "tree " + n + " leaf " + m);
                }
            }
        }
    }

    @Test
    void anInteriorNodePresentedAsALeafIsRefused() throws ProofException {
        for (int n = 2; n <= 32; n++) {
            InMemoryMerkleLog log = log(n, "i");
            MerkleTree tree = log.tree();
            byte[] root = tree.rootHash(n);
            for (int level = 1; (1L << level) <= n; level++) {
                for (long node = 0; (node + 1) << level <= n; node++) {
                    byte[] interior = tree.subtreeHash(level, node);
                    // The proof of a leaf under the node, without the hashes below the node, does lead to the root;
                    // only the size from the signed checkpoint tells the verifier that the path is too short.
                    List<byte[]> upper = tree.inclusionProof(node << level, n);
                    upper = upper.subList(level, upper.size());
                    for (long claimed = 0; claimed < n; claimed++) {
                        long index = claimed;
                        long size = n;
                        List<byte[]> proof = upper;
                        assertThrows(ProofException.class, () -> MerkleVerifier.verifyInclusion(interior, index, size,
                                proof, root), "size " + n + " node " + level + "/" + node + " as leaf " + index);
                    }
                }
            }
        }
    }

    @Test
    void leafAndNodeHashesAreDomainSeparated() throws ProofException {
        InMemoryMerkleLog log = log(2, "d");
        byte[] left = log.leafHash(0);
        byte[] right = log.leafHash(1);
        byte[] root = log.tree().rootHash(2);
        byte[] concatenated = new byte[64];
        System.arraycopy(left, 0, concatenated, 0, 32);
        System.arraycopy(right, 0, concatenated, 32, 32);
        // An entry whose bytes are the two children does not hash to their parent (RFC 9162 §2.1.1 prefixes).
        assertNotEquals(java.util.HexFormat.of().formatHex(MerkleHash.nodeHash(left, right)),
                java.util.HexFormat.of().formatHex(MerkleHash.leafHash(concatenated)));
        assertEquals(ProofError.ROOT_MISMATCH, refusal(() -> MerkleVerifier.verifyInclusion(
                MerkleHash.leafHash(concatenated), 0, 1, List.of(), root)));
    }

    @Test
    void consistencyFromALargerToASmallerTreeIsRefused() throws ProofException {
        MerkleTree tree = log(8, "s").tree();
        byte[] r5 = tree.rootHash(5);
        byte[] r8 = tree.rootHash(8);
        List<byte[]> proof = tree.consistencyProof(5, 8);
        assertEquals(ProofError.SIZE_DECREASED, refusal(() -> MerkleVerifier.verifyConsistency(8, 5, proof, r8, r5)));
        assertEquals(ProofError.SIZE_DECREASED, refusal(() -> MerkleVerifier.verifyConsistency(1, 0, List.of(),
                r5, MerkleHash.emptyRoot())));
    }

    @Test
    void emptyConsistencyProofWhereOneIsRequiredIsRefused() throws ProofException {
        MerkleTree tree = log(8, "e").tree();
        for (int m = 1; m < 8; m++) {
            int size1 = m;
            byte[] r1 = tree.rootHash(m);
            byte[] r8 = tree.rootHash(8);
            assertEquals(ProofError.EMPTY_PROOF, refusal(() -> MerkleVerifier.verifyConsistency(size1, 8, List.of(),
                    r1, r8)));
        }
    }

    @Test
    void trivialConsistencyCasesNeedAnEmptyProofAndMatchingRoots() throws ProofException {
        MerkleTree tree = log(4, "t").tree();
        byte[] r4 = tree.rootHash(4);
        MerkleVerifier.verifyConsistency(4, 4, List.of(), r4, r4);
        MerkleVerifier.verifyConsistency(0, 4, List.of(), MerkleHash.emptyRoot(), r4);
        MerkleVerifier.verifyConsistency(0, 0, List.of(), MerkleHash.emptyRoot(), MerkleHash.emptyRoot());
        assertEquals(ProofError.PROOF_TOO_LONG, refusal(() -> MerkleVerifier.verifyConsistency(4, 4,
                List.of(MerkleHash.emptyRoot()), r4, r4)));
        assertEquals(ProofError.PROOF_TOO_LONG, refusal(() -> MerkleVerifier.verifyConsistency(0, 4,
                List.of(MerkleHash.emptyRoot()), MerkleHash.emptyRoot(), r4)));
        assertEquals(ProofError.ROOT_MISMATCH, refusal(() -> MerkleVerifier.verifyConsistency(4, 4, List.of(), r4,
                SOME_HASH)));
        assertEquals(ProofError.ROOT_MISMATCH, refusal(() -> MerkleVerifier.verifyConsistency(0, 4, List.of(),
                SOME_HASH, r4)));
    }

    @Test
    void everyCorruptionOfAValidConsistencyProofIsRefused() throws ProofException {
        // The probes of transparency-dev/merkle's corruptConsistencyProof, on every pair of sizes up to 17.
        MerkleTree tree = log(17, "k").tree();
        for (int n = 2; n <= 17; n++) {
            for (int m = 1; m < n; m++) {
                int size1 = m;
                int size2 = n;
                byte[] r1 = tree.rootHash(m);
                byte[] r2 = tree.rootHash(n);
                List<byte[]> proof = tree.consistencyProof(m, n);
                MerkleVerifier.verifyConsistency(m, n, proof, r1, r2);
                List<Executable> probes = new ArrayList<>();
                probes.add(() -> MerkleVerifier.verifyConsistency(size1 - 1, size2, proof, r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1 + 1, size2, proof, r1, r2));
                if ((size1 ^ 2) != size1) {
                    probes.add(() -> MerkleVerifier.verifyConsistency(size1 ^ 2, size2, proof, r1, r2));
                }
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2 * 2, proof, r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2 / 2, proof, r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, proof, SOME_HASH, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, proof, r1, SOME_HASH));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, proof, r2, r1));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, List.of(), r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, with(proof, proof.size(), r1), r1,
                        r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, with(proof, proof.size(), r2), r1,
                        r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, with(proof, 0, r1), r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, with(proof, 0, r2), r1, r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, with(proof, 0, proof.get(0)), r1,
                        r2));
                probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, proof.subList(0, proof.size() - 1),
                        r1, r2));
                for (int i = 0; i < proof.size(); i++) {
                    List<byte[]> flipped = new ArrayList<>(proof);
                    byte[] h = flipped.get(i).clone();
                    h[0] ^= 16;
                    flipped.set(i, h);
                    probes.add(() -> MerkleVerifier.verifyConsistency(size1, size2, flipped, r1, r2));
                }
                for (Executable probe : probes) {
                    assertThrows(ProofException.class, probe, "consistency " + m + " -> " + n);
                }
            }
        }
    }

    @Test
    void aForkedLogIsDetectedByConsistencyWithTheEarlierCheckpoint() throws ProofException {
        // Checkpoint A: the honest log at size 10. The log operator then rewrites entry 3 and keeps appending.
        InMemoryMerkleLog honest = log(10, "bundle-");
        InMemoryMerkleLog forked = new InMemoryMerkleLog();
        for (int i = 0; i < 16; i++) {
            forked.append((i == 3 ? "rewritten-" : "bundle-").concat(Integer.toString(i))
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] checkpointA = honest.tree().rootHash(10);
        for (int n = 11; n <= 16; n++) {
            int size2 = n;
            List<byte[]> proof = forked.tree().consistencyProof(10, n);
            byte[] rootN = forked.tree().rootHash(n);
            ProofException e = assertThrows(ProofException.class,
                    () -> MerkleVerifier.verifyConsistency(10, size2, proof, checkpointA, rootN));
            assertEquals(ProofError.ROOT_MISMATCH, e.error());
            assertTrue(e.detail().contains("forked or rewritten"), e.detail());
        }
        // Same size, different root: two histories of the same length.
        assertEquals(ProofError.ROOT_MISMATCH, refusal(() -> MerkleVerifier.verifyConsistency(10, 10, List.of(),
                checkpointA, forked.tree().rootHash(10))));
    }

    @Test
    void aTruncatedLogIsDetected() throws ProofException {
        InMemoryMerkleLog full = log(12, "t");
        byte[] r12 = full.tree().rootHash(12);
        // The operator drops the last 4 entries and presents size 8 as the new checkpoint.
        byte[] r8 = full.tree().rootHash(8);
        assertEquals(ProofError.SIZE_DECREASED, refusal(() -> MerkleVerifier.verifyConsistency(12, 8, List.of(),
                r12, r8)));
        // Or re-grows to 12 with other entries: the consistency proof from the old checkpoint fails.
        InMemoryMerkleLog regrown = log(8, "t");
        for (int i = 8; i < 12; i++) {
            regrown.append(("other" + i).getBytes(StandardCharsets.UTF_8));
        }
        byte[] other12 = regrown.tree().rootHash(12);
        assertEquals(ProofError.ROOT_MISMATCH, refusal(() -> MerkleVerifier.verifyConsistency(12, 12, List.of(),
                r12, other12)));
        List<byte[]> proof = regrown.tree().consistencyProof(8, 12);
        MerkleVerifier.verifyConsistency(8, 12, proof, r8, other12); // the shared prefix is still consistent
    }

    @Test
    void malformedHashesAreRefusedBeforeAnyHashing() {
        List<byte[]> shortHash = List.of(new byte[31]);
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyInclusion(SOME_HASH, 0, 2, shortHash,
                SOME_HASH)));
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyInclusion(new byte[0], 0, 1,
                List.of(), SOME_HASH)));
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyConsistency(1, 2, shortHash,
                SOME_HASH, SOME_HASH)));
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyConsistency(1, 2, null, SOME_HASH,
                SOME_HASH)));
        assertEquals(ProofError.MALFORMED, refusal(() -> MerkleVerifier.verifyConsistency(1, 2,
                List.of(SOME_HASH), new byte[33], SOME_HASH)));
    }

    @Test
    void errorsNameWhatWasWrong() throws ProofException {
        MerkleTree tree = log(8, "n").tree();
        List<byte[]> proof = tree.inclusionProof(5, 8);
        ProofException e = assertThrows(ProofException.class, () -> MerkleVerifier.verifyInclusion(
                MerkleHash.leafHash("n5".getBytes(StandardCharsets.UTF_8)), 5, 8, proof.subList(0, 2),
                tree.rootHash(8)));
        assertEquals("inclusion proof for leaf 5 in a tree of size 8 needs 3 hashes, got 2", e.detail());
        assertEquals(ProofError.PROOF_TOO_SHORT, e.error());
    }
}
