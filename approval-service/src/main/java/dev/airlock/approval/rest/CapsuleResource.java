package dev.airlock.approval.rest;

import dev.airlock.approval.domain.CapsuleStatus;
import dev.airlock.approval.domain.DecisionOutcome;
import dev.airlock.approval.domain.Via;
import dev.airlock.approval.repository.CapsuleRow;
import dev.airlock.approval.service.Access;
import dev.airlock.approval.service.DecisionService;
import dev.airlock.approval.service.QueueService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Locale;

/**
 * The approval API (HTTP Basic locally, bearer tokens with OIDC). Decisions are approval DSSE envelopes signed by the
 * approver's own key, posted as they are: {@code airlock capsule approve --post}, scripts, the web page (through
 * {@code /ui/...}, same code).
 */
@Path("/api")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class CapsuleResource {

    @Inject
    SecurityIdentity identity;
    @Inject
    Access access;
    @Inject
    QueueService queue;
    @Inject
    DecisionService decisions;

    /** Counts per tier and the visible capsules, newest first; {@code ?status=pending|parked|…}. */
    @GET
    @Path("/queue")
    public QueueService.Queue queue(@QueryParam("status") String status) {
        return queue.queue(access.viewer(identity), parseStatus(status));
    }

    @GET
    @Path("/capsules/{id}")
    public QueueService.Review capsule(@PathParam("id") String id) {
        return queue.review(access.viewer(identity), id).orElseThrow(NotFoundException::new);
    }

    /** The capsule DSSE exactly as proposed: what {@code airlock capsule approve --capsule} signs. */
    @GET
    @Path("/capsules/{id}/envelope")
    public byte[] envelope(@PathParam("id") String id) {
        return queue.row(access.viewer(identity), id).map(CapsuleRow::capsuleEnvelope)
                .orElseThrow(NotFoundException::new);
    }

    @POST
    @Path("/capsules/{id}/decisions")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM, MediaType.WILDCARD})
    public Response decide(@PathParam("id") String id, byte[] envelope) {
        return respond(decisions.submit(envelope, Via.API, identity.getPrincipal().getName(), id,
                identity.getPrincipal().getName()));
    }

    static Response respond(DecisionOutcome o) {
        return Response.status(o.httpStatus()).type(MediaType.APPLICATION_JSON).entity(o).build();
    }

    static CapsuleStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return CapsuleStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new jakarta.ws.rs.BadRequestException("unknown status '" + status + "'");
        }
    }
}
