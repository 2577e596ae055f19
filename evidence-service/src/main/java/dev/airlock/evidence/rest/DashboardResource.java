package dev.airlock.evidence.rest;

import dev.airlock.evidence.service.DashboardService;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The enclave dashboard: one page, no external resources (an inline SVG chart, inline CSS, no script). */
@Path("/")
public class DashboardResource {

    @Inject
    Template dashboard;

    @Inject
    DashboardService service;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> page() {
        return service.snapshot().map(d -> dashboard.data("d", d));
    }
}
