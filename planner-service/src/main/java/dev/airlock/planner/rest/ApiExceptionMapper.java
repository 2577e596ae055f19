package dev.airlock.planner.rest;

import dev.airlock.planner.service.ApiException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal is a JSON body {@code {reason, detail, pointer}} with its status; never a stack trace. */
public class ApiExceptionMapper {

    @ServerExceptionMapper
    public Response map(ApiException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new Views.Error(e.reason(), e.detail(), e.pointer())).build();
    }
}
