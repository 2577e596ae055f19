package dev.airlock.evidence.rest;

import dev.airlock.evidence.domain.Problem;
import dev.airlock.evidence.domain.StoredTree;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Errors as RFC 9457 problem documents with a message a person can act on; never a stack trace. */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    public static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response problem(Problem p) {
        return response(p.status(), p.title(), p.getMessage());
    }

    @ServerExceptionMapper
    public Response missing(StoredTree.MissingRow m) {
        return response(500, "Evidence log damaged", m.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return response(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response other(Throwable t) {
        LOG.error("Unexpected error serving a request", t);
        return response(500, "Internal Server Error", "the evidence service failed to answer; see its log");
    }

    static Response response(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }
}
