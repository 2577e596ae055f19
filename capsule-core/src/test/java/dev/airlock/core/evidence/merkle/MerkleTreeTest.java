package dev.airlock.core.evidence.merkle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();
    private static JsonNode vectors;
    private static List<byte[]> ctEntries;

    @BeforeAll
    static void loadVectors() throws IOException {
        try (InputStream in = MerkleTreeTest.class.getResourceAsStream(
                "/dev/airlock/core/merkle/rfc6962-reference/vectors.json")) {
            vectors = new ObjectMapper().readTree(in);
        }
        ctEntries = new ArrayList<>();
        vectors.get("leaves").forEach(l -> ctEntries.add(HEX.parseHex(l.asText())));
    }

    static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(h -> out.add(HEX.parseHex(h.asText())));
        return out;
    }

    static void assertHashesEqual(List<byte[]> expected, List<byte[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": length");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), what + ": hash " + i);
        }
    }

    private static InMemoryMerkleLog log(List<byte[]> entries) {
        InMemoryMerkleLog log = new InMemoryMerkleLog();
        entries.forEach(log::append);
        return log;
    }

    @Test
    void rootsMatchTheCertificateTransparencyReferenceTree() throws ProofException {
        MerkleTree tree = log(ctEntries).tree();
        for (int size = 0; size <= 8; size++) {
            assertEquals(vectors.get("roots").get(size).asText(), HEX.formatHex(tree.rootHash(size)), "size " + size);
        }
    }

    @Test
    void inclusionProofsMatchTheReferenceVectorsAndVerify() throws ProofException {
        MerkleTree tree = log(ctEntries).tree();
        for (JsonNode v : vectors.get("inclusion")) {
            long index = v.get("index").asLong();
            long size = v.get("size").asLong();
            List<byte[]> expected = hashes(v.get("proof"));
            assertHashesEqual(expected, tree.inclusionProof(index, size), "inclusion " + index + "/" + size);
            MerkleVerifier.verifyInclusion(MerkleHash.leafHash(ctEntries.get((int) index)), index, size, expected,
                    tree.rootHash(size));
        }
    }

    @Test
    void consistencyProofsMatchTheReferenceVectorsAndVerify() throws ProofException {
        MerkleTree tree = log(ctEntries).tree();
        for (JsonNode v : vectors.get("consistency")) {
            long size1 = v.get("size1").asLong();
            long size2 = v.get("size2").asLong();
            List<byte[]> expected = hashes(v.get("proof"));
            assertHashesEqual(expected, tree.consistencyProof(size1, size2), "consistency " + size1 + "->" + size2);
            MerkleVerifier.verifyConsistency(size1, size2, expected, tree.rootHash(size1), tree.rootHash(size2));
        }
    }

    @Test
    void everyRootAndProofUpToSize64EqualsTheLiteralRfcDefinitions() throws ProofException {
        List<byte[]> entries = new ArrayList<>();
        Random random = new Random(9162);
        for (int i = 0; i < 64; i++) {
            byte[] e = new byte[random.nextInt(40)];
            random.nextBytes(e);
            entries.add(e);
        }
        MerkleTree tree = log(entries).tree();
        for (int n = 1; n <= 64; n++) {
            List<byte[]> d = entries.subList(0, n);
            byte[] root = NaiveMerkle.mth(d);
            assertArrayEquals(root, tree.rootHash(n), "root of " + n);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = tree.inclusionProof(m, n);
                assertHashesEqual(NaiveMerkle.path(m, d), proof, "PATH(" + m + ", D[" + n + "])");
                assertEquals(MerkleVerifier.inclusionProofLength(m, n), proof.size());
                MerkleVerifier.verifyInclusion(NaiveMerkle.leaf(d.get(m)), m, n, proof, root);
            }
            for (int m = 1; m <= n; m++) {
                List<byte[]> proof = tree.consistencyProof(m, n);
                assertHashesEqual(m == n ? List.of() : NaiveMerkle.proof(m, d), proof, "PROOF(" + m + ", D[" + n + "])");
                assertEquals(MerkleVerifier.consistencyProofLength(m, n), proof.size());
                MerkleVerifier.verifyConsistency(m, n, proof, NaiveMerkle.mth(entries.subList(0, m)), root);
            }
        }
    }

    @Test
    void aSourceThatCachesNothingGivesTheSameAnswers() throws ProofException {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            entries.add(new byte[] {(byte) i, (byte) (i * 7)});
        }
        InMemoryMerkleLog cached = log(entries);
        LeafHashSource bare = new LeafHashSource() {
            @Override
            public long size() {
                return cached.size();
            }

            @Override
            public byte[] leafHash(long index) {
                return cached.leafHash(index);
            }
        };
        MerkleTree a = cached.tree();
        MerkleTree b = new MerkleTree(bare);
        for (int n = 1; n <= 37; n++) {
            assertArrayEquals(a.rootHash(n), b.rootHash(n));
            for (int m = 0; m < n; m++) {
                assertHashesEqual(a.inclusionProof(m, n), b.inclusionProof(m, n), "inclusion");
            }
            for (int m = 0; m <= n; m++) {
                assertHashesEqual(a.consistencyProof(m, n), b.consistencyProof(m, n), "consistency");
            }
        }
    }

    /**
     * A stand-in for the database-backed log: it stores leaf hashes and exactly the rows
     * {@link MerkleTree#completedSubtrees} asks for, and counts every fetch (each would be a database read).
     */
    static final class CountingStore implements LeafHashSource {
        final List<byte[]> leaves = new ArrayList<>();
        final Map<Long, byte[]> subtrees = new HashMap<>();
        long fetches;

        void append(byte[] entry) {
            leaves.add(MerkleHash.leafHash(entry));
            for (SubtreeHash s : new MerkleTree(this).completedSubtrees(leaves.size() - 1)) {
                subtrees.put(key(s.level(), s.index()), s.hash());
            }
        }

        private static long key(int level, long index) {
            return ((long) level << 56) | index;
        }

        @Override
        public long size() {
            return leaves.size();
        }

        @Override
        public byte[] leafHash(long index) {
            fetches++;
            return leaves.get((int) index);
        }

        @Override
        public byte[] cachedSubtreeHash(int level, long index) {
            fetches++;
            return subtrees.get(key(level, index));
        }
    }

    @Test
    void completedSubtreesMakeEveryProofCostLogarithmicallyManyFetches() throws ProofException {
        CountingStore store = new CountingStore();
        InMemoryMerkleLog reference = new InMemoryMerkleLog();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            byte[] entry = ("bundle-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            store.append(entry);
            reference.append(entry);
        }
        // One row per complete subtree: n - popcount(n) of them, i.e. fewer than one per leaf.
        assertEquals(n - Long.bitCount(n), store.subtrees.size());
        MerkleTree tree = new MerkleTree(store);
        MerkleTree expected = reference.tree();
        Random random = new Random(1);
        int log2 = 64 - Long.numberOfLeadingZeros(n);
        for (int k = 0; k < 100; k++) {
            long size = 1 + random.nextInt(n);
            long index = random.nextInt((int) size);
            long old = 1 + random.nextInt((int) size);

            store.fetches = 0;
            byte[] root = tree.rootHash(size);
            assertTrue(store.fetches <= 2L * log2, "root fetches " + store.fetches);
            assertArrayEquals(expected.rootHash(size), root);

            store.fetches = 0;
            List<byte[]> inclusion = tree.inclusionProof(index, size);
            assertTrue(store.fetches <= 4L * log2, "inclusion fetches " + store.fetches);
            MerkleVerifier.verifyInclusion(reference.leafHash(index), index, size, inclusion, root);

            store.fetches = 0;
            List<byte[]> consistency = tree.consistencyProof(old, size);
            assertTrue(store.fetches <= 4L * log2, "consistency fetches " + store.fetches);
            MerkleVerifier.verifyConsistency(old, size, consistency, expected.rootHash(old), root);
        }
    }

    @Test
    void proofsForSizesTheLogDoesNotHoldAreRefused() {
        MerkleTree tree = log(ctEntries).tree();
        assertEquals(ProofError.SIZE_BEYOND_LOG, assertThrows(ProofException.class, () -> tree.rootHash(9)).error());
        assertEquals(ProofError.INDEX_OUT_OF_RANGE,
                assertThrows(ProofException.class, () -> tree.inclusionProof(8, 8)).error());
        assertEquals(ProofError.INDEX_OUT_OF_RANGE,
                assertThrows(ProofException.class, () -> tree.inclusionProof(-1, 8)).error());
        assertEquals(ProofError.SIZE_DECREASED,
                assertThrows(ProofException.class, () -> tree.consistencyProof(5, 4)).error());
        assertEquals(ProofError.SIZE_BEYOND_LOG,
                assertThrows(ProofException.class, () -> tree.consistencyProof(5, 9)).error());
    }

    @Test
    void inMemoryLogServesAHundredThousandLeafProofs() throws ProofException {
        InMemoryMerkleLog log = new InMemoryMerkleLog();
        for (int i = 0; i < 100_000; i++) {
            long index = log.append(("entry " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(i, index);
        }
        MerkleTree tree = log.tree();
        byte[] root = tree.rootHash(100_000);
        long[] indices = {0, 1, 65_535, 65_536, 99_998, 99_999};
        for (long i : indices) {
            MerkleVerifier.verifyInclusion(MerkleHash.leafHash(("entry " + i).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), i, 100_000, tree.inclusionProof(i, 100_000), root);
        }
        Random random = new Random(7);
        for (int k = 0; k < 500; k++) {
            long i = random.nextInt(100_000);
            MerkleVerifier.verifyInclusion(log.leafHash(i), i, 100_000, tree.inclusionProof(i, 100_000), root);
            long old = 1 + random.nextInt(100_000);
            MerkleVerifier.verifyConsistency(old, 100_000, tree.consistencyProof(old, 100_000), tree.rootHash(old),
                    root);
        }
    }
}
