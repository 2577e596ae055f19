package dev.airlock.evidence.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.evidence.domain.Problem;
import dev.airlock.evidence.repository.CheckpointRow;
import dev.airlock.evidence.repository.EvidenceLeaf;
import dev.airlock.evidence.service.ChainVerifier;
import dev.airlock.evidence.service.EvidenceLog;
import dev.airlock.evidence.service.RetentionService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;

/** Checkpoints, proofs, full chain verification and on-demand retention. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class LogResource {

    @Inject
    EvidenceLog log;
    @Inject
    ChainVerifier chain;
    @Inject
    RetentionService retention;
    @Inject
    dev.airlock.evidence.service.PolicyService policies;

    /** The policy in force, the envelope exactly as accepted (for the CLI without --policy: trust on first use). */
    @GET
    @Path("policy")
    public jakarta.ws.rs.core.Response policy() {
        return policies.current().map(p -> jakarta.ws.rs.core.Response.ok(p.envelope().toJson(),
                        MediaType.APPLICATION_JSON).build())
                .orElseThrow(() -> Problem.notFound("no policy in force"));
    }

    /** A signed checkpoint: the envelope (verify it), and its fields for convenience (do not trust them alone). */
    public record CheckpointView(String log, long size, String rootHash, Instant createdAt, JsonNode checkpoint) {
        static CheckpointView of(String log, CheckpointRow r) {
            return new CheckpointView(log, r.size, Hex.encode(r.rootHash), r.createdAt, EvidenceLog.json(r.envelope));
        }
    }

    /** Any log entry by its index (bundles and purge records), with its exact bytes. */
    @GET
    @Path("entries/{index}")
    public Uni<BundleView> byIndex(@jakarta.ws.rs.PathParam("index") String index) {
        Long i = Params.number(index, "index");
        return Panache.withSession(() -> EvidenceLeaf.<EvidenceLeaf>findById(i)).map(l -> {
            if (l == null) {
                throw Problem.notFound("no log entry " + i);
            }
            return BundleView.of(l, true);
        });
    }

    @GET
    @Path("checkpoints/latest")
    public Uni<CheckpointView> latest() {
        return Panache.withSession(() -> log.latestCheckpoint()).map(r -> {
            if (r == null) {
                throw Problem.notFound("the log has no signed checkpoint yet (POST /api/checkpoints)");
            }
            return CheckpointView.of(log.logId(), r);
        });
    }

    @GET
    @Path("checkpoints")
    public Uni<List<CheckpointView>> list() {
        return Panache.withSession(() -> CheckpointRow.<CheckpointRow>listAll(Sort.by("size")))
                .map(rows -> rows.stream().map(r -> CheckpointView.of(log.logId(), r)).toList());
    }

    /** Signs a checkpoint of the current size now (idempotent when the log did not grow). */
    @POST
    @Path("checkpoints")
    public Uni<CheckpointView> create() {
        return log.checkpointNow().map(r -> {
            if (r == null) {
                throw new Problem(503, "Service Unavailable", "the log is not open yet; try again in a moment");
            }
            return CheckpointView.of(log.logId(), r);
        });
    }

    /**
     * Inclusion proof of a leaf (by {@code leafIndex}, or the latest entry of {@code capsuleId}) against the signed
     * checkpoint of {@code size} (default: the latest checkpoint).
     */
    @GET
    @Path("proofs/inclusion")
    public Uni<EvidenceLog.InclusionProofView> inclusion(@QueryParam("capsuleId") String capsuleId,
                                                         @QueryParam("leafIndex") String leafIndex,
                                                         @QueryParam("size") String size) {
        Long index = Params.number(leafIndex, "leafIndex");
        Long treeSize = Params.number(size, "size");
        if ((index == null) == (capsuleId == null || capsuleId.isBlank())) {
            throw Problem.badRequest("give exactly one of capsuleId and leafIndex");
        }
        if (index != null) {
            return log.inclusion(index, treeSize);
        }
        return Panache.withSession(() -> EvidenceLeaf.<EvidenceLeaf>find("capsuleId",
                        Sort.by("leafIndex").descending(), capsuleId).firstResult())
                .chain(l -> {
                    if (l == null) {
                        return Uni.createFrom().failure(Problem.notFound("no evidence for capsule '" + capsuleId
                                + "' in this log"));
                    }
                    return log.inclusion(l.leafIndex, treeSize);
                });
    }

    @GET
    @Path("proofs/consistency")
    public Uni<EvidenceLog.ConsistencyProofView> consistency(@QueryParam("from") String from,
                                                             @QueryParam("to") String to) {
        Long a = Params.number(from, "from");
        Long b = Params.number(to, "to");
        if (a == null || b == null) {
            throw Problem.badRequest("from and to (checkpoint sizes) are required");
        }
        return log.consistency(a, b);
    }

    /**
     * Recomputes the whole chain from the stored rows and names the first bad index. {@code receipts=all} also verifies
     * the receipts of the leaves that a verified checkpoint already proves.
     */
    @GET
    @Path("verify")
    public Uni<ChainVerifier.Report> verify(@QueryParam("receipts") String receipts) {
        if (receipts != null && !receipts.equals("all")) {
            throw Problem.badRequest("receipts: 'all' or absent (verify the receipts of leaves no checkpoint proves)");
        }
        return chain.verify(receipts != null);
    }

    /** Runs retention now (the same job the schedule runs). */
    @POST
    @Path("retention")
    public Uni<List<RetentionService.Purge>> purge() {
        return retention.purgeNow();
    }
}
