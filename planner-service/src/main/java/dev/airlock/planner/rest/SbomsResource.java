package dev.airlock.planner.rest;

import dev.airlock.planner.repository.ComponentEntity;
import dev.airlock.planner.repository.SbomEntity;
import dev.airlock.planner.service.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;

/** The SBOMs taken in: {@code GET /api/sboms} and {@code GET /api/sboms/{name}/components}. */
@Path("/api/sboms")
@Produces(MediaType.APPLICATION_JSON)
public class SbomsResource {

    @GET
    public Uni<List<Views.SbomView>> list() {
        return Panache.withSession(() -> SbomEntity.<SbomEntity>list("order by name").chain(sboms -> {
            List<Uni<Views.SbomView>> views = new ArrayList<>();
            return io.smallrye.mutiny.Multi.createFrom().iterable(sboms).onItem().transformToUniAndConcatenate(s ->
                            ComponentEntity.count("sbomName", s.name).map(n -> new Views.SbomView(s.name,
                                    s.serialNumber, s.specVersion, s.rootPurl, n, s.ingestedAt)))
                    .collect().asList();
        }));
    }

    @GET
    @Path("/{name}/components")
    public Uni<List<Views.ComponentView>> components(@PathParam("name") String name) {
        return Panache.withSession(() -> SbomEntity.<SbomEntity>findById(name)
                .onItem().ifNull().failWith(() -> ApiException.notFound("SBOM " + name))
                .chain(s -> ComponentEntity.<ComponentEntity>list("sbomName = ?1 order by position", name))
                .map(list -> list.stream().map(c -> new Views.ComponentView(c.bomRef, c.purl, c.scope)).toList()));
    }
}
