package dev.airlock.approval.rest;

import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.Via;
import dev.airlock.approval.service.Access;
import dev.airlock.approval.service.DecisionService;
import dev.airlock.approval.service.QueueService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/**
 * The approval web pages (Qute, server-rendered; one small vanilla script for signing). Form login locally. The page
 * signs decisions in the browser with WebCrypto Ed25519 from a key file the approver opens; only the signed DSSE
 * envelope is posted to {@code /ui/capsules/{id}/decisions}, which decides it exactly as the API does.
 */
@Path("/")
@Authenticated
public class UiResource {

    @CheckedTemplate(requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance queue(String user, List<String> roles, QueueService.Queue queue);

        static native TemplateInstance review(String user, List<String> roles, QueueService.Review review);

        static native TemplateInstance audit(String user, List<String> roles, String capsuleId, List<AuditEvent> events);
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    Access access;
    @Inject
    QueueService queue;
    @Inject
    DecisionService decisions;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance index(@QueryParam("status") String status) {
        Access.Viewer v = access.viewer(identity);
        return Templates.queue(v.name(), v.roles(), queue.queue(v, CapsuleResource.parseStatus(status)));
    }

    @GET
    @Path("capsules/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance capsule(@PathParam("id") String id) {
        Access.Viewer v = access.viewer(identity);
        return Templates.review(v.name(), v.roles(), queue.review(v, id).orElseThrow(NotFoundException::new));
    }

    @GET
    @Path("audit")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance audit(@QueryParam("capsuleId") String capsuleId, @QueryParam("kind") String kind,
                                  @QueryParam("after") @DefaultValue("0") long after) {
        Access.Viewer v = access.viewer(identity);
        return Templates.audit(v.name(), v.roles(), capsuleId,
                queue.audit(v, blankToNull(capsuleId), AuditResource.kind(kind), after, 500));
    }

    @POST
    @Path("ui/capsules/{id}/decisions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response decide(@PathParam("id") String id, byte[] envelope) {
        String user = identity.getPrincipal().getName();
        return CapsuleResource.respond(decisions.submit(envelope, Via.WEB, user, id, user));
    }

    /** Ends the form-login session (the credential cookie) and returns to the login page. */
    @GET
    @Path("logout")
    public Response logout() {
        return Response.seeOther(URI.create("/login.html"))
                .cookie(new NewCookie.Builder("quarkus-credential").path("/").maxAge(0).value("").build()).build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
