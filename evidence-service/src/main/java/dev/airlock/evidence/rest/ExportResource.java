package dev.airlock.evidence.rest;

import dev.airlock.core.json.StrictJson;
import dev.airlock.evidence.service.ExportService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.Locale;

/**
 * A sanitized, signed bundle set as a file an operator can carry out of the enclave; verify it offline with
 * {@code airlock evidence proof --export FILE --policy policy.dsse.json}.
 */
@Path("/api/export")
public class ExportResource {

    @Inject
    ExportService export;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> export(@QueryParam("environment") String environment, @QueryParam("since") String since) {
        Instant from = Params.instant(since, "since");
        String env = environment == null || environment.isBlank() ? null : environment;
        return export.export(env, from).map(x -> Response.ok(StrictJson.writePretty(x))
                .header("Content-Disposition", String.format(Locale.ROOT,
                        "attachment; filename=\"airlock-evidence-%s-%s.json\"", env == null ? "all" : env,
                        x.exportedAt().toString().replace(":", "")))
                .build());
    }
}
