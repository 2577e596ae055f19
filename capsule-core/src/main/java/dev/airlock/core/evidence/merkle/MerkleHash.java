package dev.airlock.core.evidence.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 9162 §2.1.1 hashing with SHA-256. The one-byte domain separation (0x00 for leaves, 0x01 for interior nodes)
 * is what stops an interior node from being presented as a leaf (a second-preimage attack on the tree).
 */
public final class MerkleHash {

    /** Length of every hash in the tree. */
    public static final int HASH_BYTES = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    /** Cloned per hash: much cheaper than a provider lookup, and MessageDigest instances are not thread-safe. */
    private static final MessageDigest PROTOTYPE = newDigest();
    private static final byte[] EMPTY_ROOT = digest().digest();

    private MerkleHash() {
    }

    /** {@code SHA-256(0x00 ‖ entry)}. */
    public static byte[] leafHash(byte[] entry) {
        MessageDigest md = digest();
        md.update(LEAF_PREFIX);
        md.update(entry);
        return md.digest();
    }

    /** {@code SHA-256(0x01 ‖ left ‖ right)}. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = digest();
        md.update(NODE_PREFIX);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** The root of the empty tree, {@code SHA-256("")} (RFC 9162 §2.1.1). */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    private static MessageDigest digest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newDigest();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
