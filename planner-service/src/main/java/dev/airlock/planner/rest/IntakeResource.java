package dev.airlock.planner.rest;

import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.intake.IntakeDocument;
import dev.airlock.planner.intake.IntakeException;
import dev.airlock.planner.intake.IntakeParser;
import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.service.ApiException;
import dev.airlock.planner.service.IntakeService;
import dev.airlock.planner.service.ProposalService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/intake}: one document (planner-service README, "Intake formats"). 201 with the findings it named or
 * produced, their tiers and paths; 400 (413 when too large) with {@code {reason, detail, pointer}} and nothing stored
 * when the document is malformed. Query parameters {@code name} (an SBOM's name) and {@code sbom} (the SBOM a SARIF
 * scan or OSV entry is about) do what the wrapper's fields do.
 */
@Path("/api/intake")
public class IntakeResource {

    @Inject
    IntakeService intake;
    @Inject
    ProposalService proposals;
    @Inject
    PlannerConfig config;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> ingest(byte[] body, @QueryParam("name") String name, @QueryParam("sbom") String sbom) {
        IntakeDocument doc;
        try {
            doc = IntakeParser.parse(body, new IntakeParser.Hints(name, sbom), config.maxDocumentBytes());
        } catch (IntakeException e) {
            return Uni.createFrom().failure(ApiException.of(e));
        }
        return intake.ingest(doc, name, "rest", null, null)
                .invoke(proposals::kick)
                .chain(outcome -> Panache.withSession(() -> FindingEntity.<FindingEntity>list("id in ?1",
                                outcome.findingIds().isEmpty() ? List.of(-1L) : outcome.findingIds())
                        .chain(findings -> ReachabilityEntity.<ReachabilityEntity>list("findingId in ?1",
                                        outcome.findingIds().isEmpty() ? List.of(-1L) : outcome.findingIds())
                                .map(reaches -> {
                                    Map<Long, ReachabilityEntity> r = new HashMap<>();
                                    reaches.forEach(x -> r.put(x.findingId, x));
                                    List<Views.FindingSummary> views = findings.stream()
                                            .sorted((a, b) -> Long.compare(a.id, b.id))
                                            .map(f -> Views.FindingSummary.of(f, r.get(f.id))).toList();
                                    return Response.status(Response.Status.CREATED).entity(new Views.IntakeResult(
                                            outcome.kind(), outcome.digest(), outcome.duplicate(),
                                            outcome.components(), outcome.services(), views)).build();
                                }))));
    }
}
