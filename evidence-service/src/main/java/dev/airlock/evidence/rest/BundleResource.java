package dev.airlock.evidence.rest;

import dev.airlock.evidence.domain.Problem;
import dev.airlock.evidence.repository.EvidenceLeaf;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Bundles by capsule id and search by environment, outcome and time. */
@Path("/api/bundles")
@Produces(MediaType.APPLICATION_JSON)
public class BundleResource {

    public record CapsuleBundles(String capsuleId, List<BundleView> entries) {
    }

    public record Search(int count, int limit, List<BundleView> entries) {
    }

    /** Every log entry about a capsule (a gateway rejection, a run, a retry…), oldest first, with its exact bytes. */
    @GET
    @Path("{capsuleId}")
    public Uni<CapsuleBundles> byCapsule(@PathParam("capsuleId") String capsuleId) {
        return Panache.withSession(() -> EvidenceLeaf.<EvidenceLeaf>list("capsuleId", Sort.by("leafIndex"), capsuleId))
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw Problem.notFound("no evidence for capsule '" + capsuleId + "' in this log");
                    }
                    return new CapsuleBundles(capsuleId, rows.stream().map(l -> BundleView.of(l, true)).toList());
                });
    }

    /** Search; {@code since}/{@code until} are RFC 3339 bounds on the time the bundle was received. */
    @GET
    public Uni<Search> search(@QueryParam("environment") String environment, @QueryParam("outcome") String outcome,
                              @QueryParam("since") String since, @QueryParam("until") String until,
                              @QueryParam("limit") String limit) {
        Instant from = Params.instant(since, "since");
        Instant to = Params.instant(until, "until");
        Long max = Params.number(limit, "limit");
        int n = max == null ? 100 : (int) Math.min(1000, Math.max(1, max));
        List<String> where = new ArrayList<>(List.of("entryKind = 'bundle'"));
        Parameters params = new Parameters();
        if (environment != null && !environment.isBlank()) {
            where.add("environment = :environment");
            params.and("environment", environment);
        }
        if (outcome != null && !outcome.isBlank()) {
            where.add("outcome = :outcome");
            params.and("outcome", outcome);
        }
        if (from != null) {
            where.add("receivedAt >= :since");
            params.and("since", from);
        }
        if (to != null) {
            where.add("receivedAt < :until");
            params.and("until", to);
        }
        String query = String.join(" and ", where);
        Map<String, Object> map = params.map();
        return Panache.withSession(() -> EvidenceLeaf.<EvidenceLeaf>find(query, Sort.by("leafIndex").descending(), map)
                .page(0, n).list()).map(rows -> new Search(rows.size(), n,
                rows.stream().map(l -> BundleView.of(l, false)).toList()));
    }
}
