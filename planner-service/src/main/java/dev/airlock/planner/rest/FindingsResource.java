package dev.airlock.planner.rest;

import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.ProposalEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.repository.TierDecisionEntity;
import dev.airlock.planner.service.ApiException;
import dev.airlock.planner.service.FindingQueries;
import dev.airlock.planner.service.ProposalService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Findings: {@code GET /api/findings[?tier=T2&status=OPEN&source=osv]}, {@code GET /api/findings/{id or fingerprint}}
 * with its reachability path and reasoning, and {@code POST /api/findings/{id}/propose} to run the dependency-bump
 * fleet for it now (a new capsule with the next sequence of its lineage).
 */
@Path("/api/findings")
@Produces(MediaType.APPLICATION_JSON)
public class FindingsResource {

    private static final Set<String> TIERS = Set.of("T0", "T1", "T2", "T3");

    @Inject
    ProposalService proposals;

    @GET
    public Uni<List<Views.FindingSummary>> list(@QueryParam("tier") String tier, @QueryParam("status") String status,
                                                @QueryParam("source") String source) {
        if (tier != null && !TIERS.contains(tier)) {
            return Uni.createFrom().failure(new ApiException(400, "MALFORMED", "tier must be one of " + TIERS,
                    null));
        }
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (tier != null) {
            q.append(" and tier = :tier");
            params.put("tier", tier);
        }
        if (status != null) {
            q.append(" and status = :status");
            params.put("status", status);
        }
        if (source != null) {
            q.append(" and source = :source");
            params.put("source", source);
        }
        q.append(" order by id");
        return Panache.withSession(() -> FindingEntity.<FindingEntity>list(q.toString(), params)
                .chain(findings -> ReachabilityEntity.<ReachabilityEntity>listAll().map(reaches -> {
                    Map<Long, ReachabilityEntity> r = new HashMap<>();
                    reaches.forEach(x -> r.put(x.findingId, x));
                    List<Views.FindingSummary> out = new ArrayList<>();
                    findings.forEach(f -> out.add(Views.FindingSummary.of(f, r.get(f.id))));
                    return out;
                })));
    }

    @GET
    @Path("/{ref}")
    public Uni<Views.FindingDetail> get(@PathParam("ref") String ref) {
        return FindingQueries.resolve(ref).chain(f -> Panache.withSession(() ->
                ReachabilityEntity.<ReachabilityEntity>findById(f.id).chain(r ->
                        TierDecisionEntity.<TierDecisionEntity>list("findingId = ?1 order by id", f.id).chain(d ->
                                ProposalEntity.<ProposalEntity>list("findingId = ?1 order by id", f.id)
                                        .map(p -> Views.FindingDetail.of(f, r, d, p))))));
    }

    @POST
    @Path("/{ref}/propose")
    public Uni<Response> propose(@PathParam("ref") String ref) {
        return FindingQueries.resolve(ref).chain(f -> proposals.proposeBuiltIn(f.id, true))
                .map(p -> p == null
                        ? Response.status(409).entity(new Views.Error("CHANGED", "the finding changed while the fleet"
                        + " ran; try again", null)).build()
                        : Response.status("REFUSED".equals(p.status) ? 422 : 201)
                        .entity(Views.ProposalSummary.of(p)).build());
    }
}
