package dev.airlock.evidence.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.Checkpoint;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.evidence.merkle.MerkleTree;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.evidence.merkle.SubtreeHash;
import dev.airlock.evidence.config.EvidenceKey;
import dev.airlock.evidence.domain.LeafReceipts;
import dev.airlock.evidence.domain.Problem;
import dev.airlock.evidence.domain.StoredTree;
import dev.airlock.evidence.repository.CheckpointRow;
import dev.airlock.evidence.repository.EvidenceLeaf;
import dev.airlock.evidence.repository.LogHead;
import dev.airlock.evidence.repository.MerkleSubtree;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The RFC 9162 Merkle log in PostgreSQL (ARCHITECTURE §3.6): appends under a lock on the log head (one writer, index
 * = previous size), complete-subtree hashes stored per append, signed checkpoints, and proofs read in O(log n) rows
 * through {@link StoredTree}.
 */
@ApplicationScoped
public class EvidenceLog {

    private final EvidenceKey key;
    private final Clock clock;

    @Inject
    public EvidenceLog(EvidenceKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    public String logId() {
        return key.id();
    }

    /** The result of an append: the stored leaf, and whether it was already in the log (same leaf hash). */
    public record Appended(EvidenceLeaf leaf, boolean duplicate) {
    }

    /** A computation over the tree of the first {@code size} leaves. */
    @FunctionalInterface
    public interface TreeOp<T> {
        T apply(MerkleTree tree) throws ProofException;
    }

    /** Creates the log head on first start; refuses to run against another log's database. */
    public Uni<LogHead> ensureHead() {
        return Panache.withTransaction(() -> LogHead.<LogHead>findById(LogHead.ID).chain(head -> {
            if (head == null) {
                LogHead h = new LogHead();
                h.id = LogHead.ID;
                h.logId = key.id();
                h.size = 0;
                return h.<LogHead>persist();
            }
            if (!head.logId.equals(key.id())) {
                return Uni.createFrom().failure(new IllegalStateException("this database holds the log '"
                        + head.logId + "', but airlock.evidence.id is '" + key.id() + "'"));
            }
            return Uni.createFrom().item(head);
        }));
    }

    /**
     * Appends {@code draft} (its metadata filled in; index, hash and receipt are set here) inside the caller's
     * transaction. An entry whose leaf hash is already in the log is not appended again.
     */
    public Uni<Appended> append(Mutiny.Session session, byte[] entry, EvidenceLeaf draft) {
        byte[] leafHash = MerkleHash.leafHash(entry);
        return session.find(LogHead.class, LogHead.ID, LockModeType.PESSIMISTIC_WRITE).chain(head ->
                EvidenceLeaf.<EvidenceLeaf>find("leafHash = ?1", (Object) leafHash).firstResult().chain(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().item(new Appended(existing, true));
                    }
                    long index = head.size;
                    StoredTree.Recording rec = new StoredTree.Recording(index + 1);
                    new MerkleTree(rec).completedSubtrees(index);
                    rec.asked().remove(new StoredTree.Address(0, index));
                    return fetch(session, index + 1, rec).chain(fetched -> {
                        fetched.put(0, index, leafHash);
                        List<SubtreeHash> completed = new MerkleTree(fetched).completedSubtrees(index);
                        draft.leafIndex = index;
                        draft.leafHash = leafHash;
                        draft.entry = entry;
                        draft.receipt = LeafReceipts.sign(key.key(), key.id(), index, leafHash);
                        List<Object> rows = new ArrayList<>();
                        rows.add(draft);
                        for (SubtreeHash s : completed) {
                            MerkleSubtree m = new MerkleSubtree();
                            m.level = s.level();
                            m.idx = s.index();
                            m.hash = s.hash();
                            rows.add(m);
                        }
                        head.size = index + 1;
                        return session.persistAll(rows.toArray()).replaceWith(new Appended(draft, false));
                    });
                }));
    }

    /** Runs {@code op} over the stored tree of {@code size} leaves, reading only the rows it needs. */
    public <T> Uni<T> compute(Mutiny.Session session, long size, TreeOp<T> op) {
        StoredTree.Recording rec = new StoredTree.Recording(size);
        try {
            op.apply(new MerkleTree(rec));
        } catch (ProofException e) {
            return Uni.createFrom().failure(Problem.badRequest(e.detail()));
        }
        return fetch(session, size, rec).map(fetched -> {
            try {
                return op.apply(new MerkleTree(fetched));
            } catch (ProofException e) {
                throw Problem.badRequest(e.detail());
            }
        });
    }

    private Uni<StoredTree.Fetched> fetch(Mutiny.Session session, long size, StoredTree.Recording rec) {
        StoredTree.Fetched fetched = new StoredTree.Fetched(size);
        StringJoiner leaves = new StringJoiner(",");
        StringJoiner nodes = new StringJoiner(",");
        for (StoredTree.Address a : rec.asked()) {
            if (a.level() == 0) {
                leaves.add(Long.toString(a.index()));
            } else {
                nodes.add(String.format(Locale.ROOT, "(%d,%d)", a.level(), a.index()));
            }
        }
        Uni<Void> l = leaves.length() == 0 ? Uni.createFrom().voidItem()
                : session.createNativeQuery("select leaf_index, leaf_hash from evidence_leaf where leaf_index in ("
                        + leaves + ")", Object[].class).getResultList().invoke(rows -> {
                    for (Object[] r : rows) {
                        fetched.put(0, ((Number) r[0]).longValue(), (byte[]) r[1]);
                    }
                }).replaceWithVoid();
        Uni<Void> n = nodes.length() == 0 ? Uni.createFrom().voidItem()
                : session.createNativeQuery("select level, idx, hash from merkle_subtree where (level, idx) in ("
                        + nodes + ")", Object[].class).getResultList().invoke(rows -> {
                    for (Object[] r : rows) {
                        fetched.put(((Number) r[0]).intValue(), ((Number) r[1]).longValue(), (byte[]) r[2]);
                    }
                }).replaceWithVoid();
        return l.chain(() -> n).replaceWith(fetched);
    }

    /** Signs a checkpoint of the current size unless the latest one already has it. */
    public Uni<CheckpointRow> checkpointNow() {
        return Panache.withTransaction(() -> Panache.getSession().chain(session ->
                session.find(LogHead.class, LogHead.ID, LockModeType.PESSIMISTIC_WRITE).chain(head ->
                        head == null ? Uni.createFrom().<CheckpointRow>nullItem() : // still starting
                        latestCheckpoint().chain(latest -> {
                            if (latest != null && latest.size == head.size) {
                                return Uni.createFrom().item(latest);
                            }
                            long size = head.size;
                            return compute(session, size, t -> t.rootHash(size)).chain(root -> {
                                Checkpoint cp = Checkpoint.of(key.id(), size, root,
                                        clock.instant().truncatedTo(ChronoUnit.SECONDS));
                                Envelope env = cp.sign(key.key());
                                CheckpointRow row = new CheckpointRow();
                                row.size = size;
                                row.rootHash = root;
                                row.envelope = env.toJson();
                                row.createdAt = clock.instant();
                                return row.<CheckpointRow>persist();
                            });
                        }))));
    }

    public Uni<CheckpointRow> latestCheckpoint() {
        return CheckpointRow.<CheckpointRow>find("order by size desc").firstResult();
    }

    /** The signed checkpoint of exactly {@code size} leaves, else a problem naming the sizes that exist. */
    public Uni<CheckpointRow> checkpointOfSize(long size) {
        return CheckpointRow.<CheckpointRow>findById(size).onItem().ifNull().failWith(() -> Problem.conflict(
                String.format(Locale.ROOT, "no signed checkpoint of size %d: proofs are only served against "
                        + "signed checkpoints (GET /api/checkpoints/latest, POST /api/checkpoints)", size)));
    }

    /** Inclusion proof of leaf {@code index} against the checkpoint of {@code size} (null: the latest). */
    public Uni<InclusionProofView> inclusion(long index, Long size) {
        return Panache.withSession(() -> Panache.getSession().chain(session ->
                (size == null ? latestCheckpoint().onItem().ifNull().failWith(() -> Problem.conflict(
                        "the log has no signed checkpoint yet (POST /api/checkpoints)")) : checkpointOfSize(size))
                        .chain(cp -> {
                            if (index >= cp.size) {
                                return Uni.createFrom().failure(Problem.conflict(String.format(Locale.ROOT,
                                        "leaf %d is not covered by the checkpoint of size %d yet; wait for the next "
                                                + "checkpoint or POST /api/checkpoints", index, cp.size)));
                            }
                            return EvidenceLeaf.<EvidenceLeaf>findById(index).chain(leaf -> {
                                if (leaf == null) {
                                    return Uni.createFrom().failure(Problem.notFound("no leaf " + index));
                                }
                                return compute(session, cp.size, t -> t.inclusionProof(index, cp.size))
                                        .map(p -> new InclusionProofView(key.id(), index, cp.size,
                                                Hex.encode(leaf.leafHash), hex(p), json(cp.envelope), leaf));
                            });
                        })));
    }

    /** Consistency proof between the checkpoints of sizes {@code from} and {@code to}. */
    public Uni<ConsistencyProofView> consistency(long from, long to) {
        if (from > to) {
            return Uni.createFrom().failure(Problem.badRequest(String.format(Locale.ROOT,
                    "from (%d) is larger than to (%d): a log only grows", from, to)));
        }
        return Panache.withSession(() -> Panache.getSession().chain(session -> checkpointOfSize(from)
                .chain(a -> checkpointOfSize(to).chain(b -> compute(session, to, t -> t.consistencyProof(from, to))
                        .map(p -> new ConsistencyProofView(key.id(), from, to, hex(p), json(a.envelope),
                                json(b.envelope)))))));
    }

    public record InclusionProofView(String log, long logIndex, long treeSize, String leafHash, List<String> hashes,
                                     com.fasterxml.jackson.databind.JsonNode checkpoint,
                                     @com.fasterxml.jackson.annotation.JsonIgnore EvidenceLeaf leaf) {
    }

    public record ConsistencyProofView(String log, long fromSize, long toSize, List<String> hashes,
                                       com.fasterxml.jackson.databind.JsonNode fromCheckpoint,
                                       com.fasterxml.jackson.databind.JsonNode toCheckpoint) {
    }

    static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(Hex::encode).toList();
    }

    /** A stored DSSE envelope as a JSON object (its signed payload stays the same base64 string). */
    public static com.fasterxml.jackson.databind.JsonNode json(byte[] envelope) {
        try {
            return dev.airlock.core.json.StrictJson.mapper().readTree(envelope);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored envelope does not parse", e);
        }
    }
}
