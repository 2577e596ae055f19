package dev.airlock.evidence.rest;

import dev.airlock.evidence.repository.QuarantineRow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** What could not be verified, newest first, with the reason and the exact bytes. */
@Path("/api/quarantine")
@Produces(MediaType.APPLICATION_JSON)
public class QuarantineResource {

    public record QuarantineView(long id, String sha256, String kind, String reason, String detail, Instant receivedAt,
                                 String source, String bytes) {
    }

    @GET
    public Uni<List<QuarantineView>> list() {
        return Panache.withSession(() -> QuarantineRow.<QuarantineRow>findAll(Sort.by("id").descending())
                .page(0, 500).list()).map(rows -> rows.stream().map(q -> new QuarantineView(q.id, q.sha256, q.kind,
                q.reason, q.detail, q.receivedAt, q.source, Base64.getEncoder().encodeToString(q.bytes))).toList());
    }
}
