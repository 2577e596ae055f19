package dev.airlock.evidence.service;

import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.evidence.Checkpoint;
import dev.airlock.core.evidence.CheckpointVerifier;
import dev.airlock.core.evidence.merkle.InMemoryMerkleLog;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.evidence.merkle.MerkleVerifier;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.evidence.config.EvidenceKey;
import dev.airlock.evidence.domain.LeafReceipts;
import dev.airlock.evidence.repository.LogHead;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.reactive.mutiny.Mutiny;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Full chain verification (ARCHITECTURE §3.6, SECURITY-TESTS E.26, E.27), trusting nothing in the database but the
 * evidence key's signatures:
 * <ol>
 * <li>every leaf row, in index order: the index is the next one (a deleted row leaves a hole), and the stored entry
 * hashes to the stored leaf hash (a purged entry keeps only its hash);</li>
 * <li>the number of rows equals the log head's size;</li>
 * <li>every stored checkpoint is signed by the evidence key for this log, its root equals the recomputed root of its
 * size, and consecutive checkpoints are consistent (RFC 9162 §2.1.4), so a fork or a truncation is detected;</li>
 * <li>the leaf receipts — the evidence key's signature over (log, index, leaf hash) — of every leaf that no verified
 * checkpoint proves (a rewritten hash or a row moved to another index does not verify);</li>
 * <li>every stored complete-subtree hash equals the one recomputed from the leaves (proofs are served from them).</li>
 * </ol>
 * A leaf below the size of a checkpoint that is signed by the evidence key and whose root equals the root recomputed
 * from the stored leaf hashes is proven by that signature: RFC 9162 §2.1.1 hashes leaves and interior nodes with
 * different prefixes, so another leaf hash at any index, a missing leaf or a reordering would give another root. Its
 * receipt then adds nothing, which is how certificate-transparency auditors check a log: signed tree heads and
 * recomputed roots, not one signature per entry. Receipts are therefore verified from the largest such checkpoint on
 * (every leaf appended since, and every leaf from the last good checkpoint on when a root differs, which pins the bad
 * index); {@code receipts=all} verifies every receipt, which also finds a receipt damaged under a good checkpoint. The
 * first mode costs one signature verification per checkpoint instead of one per leaf (evidence-service/README.md has
 * the measurements).
 * <p>The report names the first bad index: the smallest leaf index any failed check points to.
 */
@ApplicationScoped
public class ChainVerifier {
    private static final int PAGE = 5_000;
    private static final int MAX_PROBLEMS = 20;

    private final EvidenceKey key;
    private final PolicyService policies;

    @Inject
    public ChainVerifier(EvidenceKey key, PolicyService policies) {
        this.key = key;
        this.policies = policies;
    }

    /** One failed check and the leaf index it points to. */
    public record Finding(long index, String problem) {
    }

    /**
     * The verification's result. {@code leavesProvenByCheckpoint}: the size of the largest checkpoint that verified
     * and whose root equals the recomputed one (0 if none); {@code receiptsChecked}: the receipts verified (the leaves
     * from that size on, or all of them with {@code receipts=all}).
     */
    public record Report(String log, boolean ok, long size, long leavesChecked, long purgedEntries,
                         long leavesProvenByCheckpoint, long receiptsChecked, long subtreesChecked,
                         long checkpointsChecked, Long firstBadIndex, List<Finding> problems) {
    }

    /** A checkpoint row whose signature and payload verified. */
    private record SignedCheckpoint(long size, Checkpoint checkpoint) {
    }

    private final class State {
        final InMemoryMerkleLog recomputed = new InMemoryMerkleLog();
        final List<Finding> findings = new ArrayList<>();
        long expected;
        long purged;
        long subtrees;
        long checkpoints;
        long receipts;
        long proven;
        final List<SignedCheckpoint> signed = new ArrayList<>();
        /** Findings about checkpoint rows themselves, reported after the leaves' own (as before receipts moved). */
        final List<Finding> checkpointRows = new ArrayList<>();
        final List<PublicKeyHandle> keys = evidenceKeys();
        /** Leaves found bad by the row checks; stored hashes above them differ as a consequence, not a new fault. */
        final java.util.TreeSet<Long> badLeaves = new java.util.TreeSet<>();

        void bad(long index, String problem) {
            findings.add(new Finding(index, problem));
        }

        void badLeaf(long index, String problem) {
            badLeaves.add(index);
            bad(index, problem);
        }

        /** True if a leaf in [from, to) was already found bad. */
        boolean explained(long from, long to) {
            Long b = badLeaves.ceiling(from);
            return b != null && b < to;
        }
    }

    /** Verifies the chain; {@code allReceipts} also verifies the receipts of leaves a checkpoint proves. */
    public Uni<Report> verify(boolean allReceipts) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> LogHead.<LogHead>findById(LogHead.ID)
                .chain(head -> {
                    State st = new State();
                    return leaves(s, st).chain(() -> {
                        if (st.expected < head.size) {
                            st.bad(st.expected, String.format(Locale.ROOT, "the log head says %d leaves, rows end at "
                                    + "%d: leaves from %d on are missing (deleted rows)", head.size, st.expected,
                                    st.expected));
                        } else if (st.expected > head.size) {
                            st.bad(head.size, String.format(Locale.ROOT, "rows beyond the log head's size %d "
                                    + "(inserted rows)", head.size));
                        }
                        return signedCheckpoints(s, st);
                    }).chain(() -> receipts(s, st, (allReceipts ? 0 : st.proven) - 1))
                            .invoke(() -> st.findings.addAll(st.checkpointRows))
                            .chain(() -> subtrees(s, st, -1, -1))
                            .invoke(() -> checkpointFindings(st))
                            .map(v -> report(head, st));
                })));
    }

    private Report report(LogHead head, State st) {
        List<Finding> sorted = new ArrayList<>(st.findings);
        sorted.sort((a, b) -> Long.compare(a.index(), b.index()));
        Long first = sorted.isEmpty() ? null : sorted.get(0).index();
        return new Report(head.logId, sorted.isEmpty(), head.size, st.expected, st.purged, st.proven, st.receipts,
                st.subtrees, st.checkpoints, first, sorted.subList(0, Math.min(MAX_PROBLEMS, sorted.size())));
    }

    /** Checks every leaf row in index order: no hole, and the entry hashes to the leaf hash; rebuilds the tree. */
    private Uni<Void> leaves(Mutiny.Session s, State st) {
        return eachLeafRow(s, "leaf_hash, entry", -1, (index, r) -> {
            byte[] hash = (byte[]) r[1];
            byte[] entry = (byte[]) r[2];
            while (st.expected < index) {
                st.badLeaf(st.expected, "leaf " + st.expected + " is missing (deleted row)");
                // keep positions aligned so later checks name their own indices
                st.recomputed.appendLeafHash(new byte[MerkleHash.HASH_BYTES]);
                st.expected++;
            }
            byte[] recomputed = hash;
            if (entry == null) {
                st.purged++;
            } else {
                recomputed = MerkleHash.leafHash(entry);
                if (!MessageDigest.isEqual(recomputed, hash)) {
                    st.badLeaf(index, "leaf " + index + ": the stored entry does not hash to the stored leaf hash "
                            + "(entry or hash changed)");
                }
            }
            st.recomputed.appendLeafHash(recomputed);
            st.expected = index + 1;
        });
    }

    /** Verifies the receipt of every leaf row with an index above {@code after}. */
    private Uni<Void> receipts(Mutiny.Session s, State st, long after) {
        return eachLeafRow(s, "leaf_hash, receipt", after, (index, r) -> {
            if (!LeafReceipts.verify(st.keys, key.id(), index, (byte[]) r[1], (byte[]) r[2])) {
                st.badLeaf(index, "leaf " + index + ": the leaf hash at this index is not the one the evidence "
                        + "key signed at append (rewritten, or a row moved from another index)");
            }
            st.receipts++;
        });
    }

    /** Hands each {@code evidence_leaf} row above {@code after} (leaf_index, then {@code columns}) to {@code row}. */
    private static Uni<Void> eachLeafRow(Mutiny.Session s, String columns, long after,
                                         BiConsumer<Long, Object[]> row) {
        return s.createNativeQuery("select leaf_index, " + columns + " from evidence_leaf "
                        + "where leaf_index > ?1 order by leaf_index limit " + PAGE, Object[].class)
                .setParameter(1, after)
                .getResultList()
                .chain(rows -> {
                    long last = after;
                    for (Object[] r : rows) {
                        last = ((Number) r[0]).longValue();
                        row.accept(last, r);
                    }
                    return rows.size() < PAGE ? Uni.createFrom().voidItem() : eachLeafRow(s, columns, last, row);
                });
    }

    private Uni<Void> subtrees(Mutiny.Session s, State st, int afterLevel, long afterIdx) {
        return s.createNativeQuery("select level, idx, hash from merkle_subtree where (level, idx) > (?1, ?2) "
                        + "order by level, idx limit " + PAGE, Object[].class)
                .setParameter(1, afterLevel)
                .setParameter(2, afterIdx)
                .getResultList()
                .chain(rows -> {
                    int lastLevel = afterLevel;
                    long lastIdx = afterIdx;
                    for (Object[] r : rows) {
                        int level = ((Number) r[0]).intValue();
                        long idx = ((Number) r[1]).longValue();
                        byte[] hash = (byte[]) r[2];
                        byte[] expected = st.recomputed.cachedSubtreeHash(level, idx);
                        long firstLeaf = idx << level;
                        if (expected == null) {
                            st.bad(firstLeaf, String.format(Locale.ROOT, "a stored subtree (level %d, index %d) the "
                                    + "log does not have", level, idx));
                        } else if (!MessageDigest.isEqual(expected, hash)
                                && !st.explained(firstLeaf, firstLeaf + (1L << level))) {
                            st.bad(firstLeaf, String.format(Locale.ROOT, "stored subtree (level %d, index %d) over "
                                    + "leaves %d..%d differs from the recomputed one", level, idx, firstLeaf,
                                    firstLeaf + (1L << level) - 1));
                        }
                        st.subtrees++;
                        lastLevel = level;
                        lastIdx = idx;
                    }
                    return rows.size() < PAGE ? Uni.createFrom().voidItem() : subtrees(s, st, lastLevel, lastIdx);
                })
                .invoke(() -> {
                    if (afterLevel == -1) {
                        long expectedCount = 0;
                        for (int l = 1; (st.expected >> l) > 0; l++) {
                            expectedCount += st.expected >> l;
                        }
                        if (st.subtrees < expectedCount) {
                            st.bad(0, String.format(Locale.ROOT, "%d stored subtree hashes, %d expected (rows deleted)",
                                    st.subtrees, expectedCount));
                        }
                    }
                });
    }

    /**
     * Reads every checkpoint row, keeps those whose signature and payload verify, and sets {@code proven} to the size of
     * the largest whose root equals the root recomputed from the stored leaves.
     */
    private Uni<Void> signedCheckpoints(Mutiny.Session s, State st) {
        return s.createNativeQuery("select size, root_hash, envelope from checkpoint order by size", Object[].class)
                .getResultList()
                .invoke(rows -> {
                    KeyRing ring = new KeyRing(st.keys);
                    for (Object[] r : rows) {
                        long size = ((Number) r[0]).longValue();
                        byte[] root = (byte[]) r[1];
                        long at = Math.min(size, st.expected);
                        Checkpoint cp;
                        try {
                            Envelope env = Envelope.parse((byte[]) r[2]);
                            if (!Dsse.verify(env, ring).anyVerified()) {
                                st.checkpointRows.add(new Finding(at, "checkpoint of size " + size
                                        + " is not signed by the evidence key"));
                                continue;
                            }
                            cp = StrictJson.read(env.payloadBytes(), Checkpoint.class, StrictJson.SIGNED);
                        } catch (VerificationException e) {
                            st.checkpointRows.add(new Finding(at, "checkpoint of size " + size + " does not parse: "
                                    + e.detail()));
                            continue;
                        }
                        st.checkpoints++;
                        if (!key.id().equals(cp.log())) {
                            st.checkpointRows.add(new Finding(at, "checkpoint of size " + size + " is signed for log "
                                    + cp.log() + ", not " + key.id()));
                            continue;
                        }
                        if (cp.size() != size || !MessageDigest.isEqual(cp.root(), root)) {
                            st.checkpointRows.add(new Finding(at, "checkpoint row of size " + size
                                    + " does not match its signed payload"));
                        }
                        st.signed.add(new SignedCheckpoint(size, cp));
                        if (cp.size() <= st.expected && cp.size() > st.proven && matches(st, cp)) {
                            st.proven = cp.size();
                        }
                    }
                }).replaceWithVoid();
    }

    private static boolean matches(State st, Checkpoint cp) {
        try {
            return MessageDigest.isEqual(st.recomputed.tree().rootHash(cp.size()), cp.root());
        } catch (ProofException e) {
            return false;
        }
    }

    /** Roots against the recomputed tree, truncation, and consistency between consecutive signed checkpoints. */
    private void checkpointFindings(State st) {
        Checkpoint previous = null;
        for (SignedCheckpoint sc : st.signed) {
            Checkpoint cp = sc.checkpoint();
            if (cp.size() > st.expected) {
                st.bad(st.expected, String.format(Locale.ROOT, "a signed checkpoint covers %d leaves, the "
                        + "log holds %d (truncated)", cp.size(), st.expected));
            } else {
                try {
                    byte[] recomputed = st.recomputed.tree().rootHash(cp.size());
                    if (!MessageDigest.isEqual(recomputed, cp.root()) && !st.explained(0, cp.size())) {
                        long from = previous == null ? 0 : previous.size();
                        st.bad(from, String.format(Locale.ROOT, "the signed root of size %d differs from "
                                + "the recomputed one: the log changed after leaf %d was checkpointed",
                                cp.size(), from));
                    }
                    if (previous != null && !st.explained(0, cp.size())) {
                        MerkleVerifier.verifyConsistency(previous.size(), cp.size(),
                                st.recomputed.tree().consistencyProof(previous.size(), cp.size()),
                                previous.root(), cp.root());
                    }
                } catch (ProofException e) {
                    st.bad(previous == null ? 0 : previous.size(), "checkpoints of size "
                            + (previous == null ? 0 : previous.size()) + " and " + cp.size()
                            + " are not consistent: " + e.detail());
                }
            }
            previous = cp;
        }
    }

    /** This log's keys: the configured one and those its evidence principal held in any policy version (rotations). */
    List<PublicKeyHandle> evidenceKeys() {
        Set<PublicKeyHandle> keys = new LinkedHashSet<>();
        keys.add(key.key().publicKey());
        for (TrustedPolicy p : policies.history()) {
            if (p.principal(key.id()).map(x -> x.hasRole(CheckpointVerifier.SIGNER_ROLE)).orElse(false)) {
                keys.addAll(p.keysOf(key.id()));
            }
        }
        return new ArrayList<>(keys);
    }
}
