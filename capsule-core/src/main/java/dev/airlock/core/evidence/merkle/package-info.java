/**
 * RFC 9162 Merkle tree math for the evidence log (ARCHITECTURE §3.6, SECURITY-TESTS E): leaf and node hashes
 * (§2.1.1), tree heads, inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), generated over any
 * {@link dev.airlock.core.evidence.merkle.LeafHashSource} (in memory or a database) and verified by
 * {@link dev.airlock.core.evidence.merkle.MerkleVerifier}. No storage and no signatures here: checkpoints are signed by
 * the evidence service.
 */
package dev.airlock.core.evidence.merkle;
