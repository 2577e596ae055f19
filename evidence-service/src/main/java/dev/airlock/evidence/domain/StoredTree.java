package dev.airlock.evidence.domain;

import dev.airlock.core.evidence.merkle.LeafHashSource;
import dev.airlock.core.evidence.merkle.MerkleHash;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Bridges the synchronous RFC 9162 math of capsule-core ({@link dev.airlock.core.evidence.merkle.MerkleTree}) to a
 * database read in one round trip: an operation first runs over a {@link Recording} source, which answers every
 * leaf and cached-subtree question with a placeholder and writes down the address; those rows are fetched; the same
 * operation then runs over a {@link Fetched} source holding exactly them. Every complete subtree of the log is stored
 * at append time, so the recording pass asks only for what the real pass needs: O(log n) rows.
 */
public final class StoredTree {
    private StoredTree() {
    }

    /** A subtree address: level 0 is a leaf. */
    public record Address(int level, long index) {
    }

    /** Answers with placeholders and records which addresses were asked for. */
    public static final class Recording implements LeafHashSource {
        private static final byte[] PLACEHOLDER = new byte[MerkleHash.HASH_BYTES];
        private final long size;
        private final Set<Address> asked = new LinkedHashSet<>();

        public Recording(long size) {
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public byte[] leafHash(long index) {
            asked.add(new Address(0, index));
            return PLACEHOLDER;
        }

        @Override
        public byte[] cachedSubtreeHash(int level, long index) {
            asked.add(new Address(level, index));
            return PLACEHOLDER;
        }

        public Set<Address> asked() {
            return asked;
        }
    }

    /** The rows a {@link Recording} asked for, as fetched; a missing row means the stored log is damaged. */
    public static final class Fetched implements LeafHashSource {
        private final long size;
        private final Map<Address, byte[]> hashes = new HashMap<>();

        public Fetched(long size) {
            this.size = size;
        }

        public void put(int level, long index, byte[] hash) {
            hashes.put(new Address(level, index), hash);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public byte[] leafHash(long index) {
            byte[] h = hashes.get(new Address(0, index));
            if (h == null) {
                throw new MissingRow(new Address(0, index));
            }
            return h;
        }

        @Override
        public byte[] cachedSubtreeHash(int level, long index) {
            byte[] h = hashes.get(new Address(level, index));
            if (h == null) {
                throw new MissingRow(new Address(level, index));
            }
            return h;
        }
    }

    /** A row the stored log should hold but does not (deleted or never written): run chain verification. */
    public static final class MissingRow extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Address address;

        public MissingRow(Address a) {
            super("the stored log lacks " + (a.level() == 0 ? "leaf " + a.index()
                    : "subtree (level " + a.level() + ", index " + a.index() + ")")
                    + "; run GET /api/verify to locate the damage", null, false, false);
            this.address = a;
        }

        public Address address() {
            return address;
        }
    }
}
