package dev.airlock.approval.rest;

import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import dev.airlock.approval.service.Access;
import dev.airlock.approval.service.QueueService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Locale;

/**
 * The audit trail, oldest first: {@code ?capsuleId=}, {@code ?kind=DECISION_REFUSED}, {@code ?after=<seq>} to page,
 * {@code ?limit=} (≤ 1000). Rows about capsules the caller may not see are left out.
 */
@Path("/api/audit")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    @Inject
    SecurityIdentity identity;
    @Inject
    Access access;
    @Inject
    QueueService queue;

    @GET
    public List<AuditEvent> audit(@QueryParam("capsuleId") String capsuleId, @QueryParam("kind") String kind,
                                  @QueryParam("after") @DefaultValue("0") long after,
                                  @QueryParam("limit") @DefaultValue("200") int limit) {
        return queue.audit(access.viewer(identity), capsuleId, kind(kind), after, Math.max(1, Math.min(limit, 1000)));
    }

    static AuditKind kind(String kind) {
        if (kind == null || kind.isBlank()) {
            return null;
        }
        try {
            return AuditKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("unknown kind '" + kind + "'");
        }
    }
}
