package dev.shadowshift.schema.api;

import dev.shadowshift.schema.registry.ConflictException;
import dev.shadowshift.schema.registry.UnavailableException;
import dev.shadowshift.schema.spec.RejectedSpecException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns the registration flow's exceptions into {@code {error, detail}} answers. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response rejected(RejectedSpecException e) {
        return answer(Response.Status.BAD_REQUEST, e.error(), e.detail());
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return answer(Response.Status.CONFLICT, "content_conflict", e.getMessage());
    }

    @ServerExceptionMapper
    public Response unavailable(UnavailableException e) {
        LOG.warnf("%s: %s", e.error(), e.getMessage());
        return answer(Response.Status.SERVICE_UNAVAILABLE, e.error(), e.getMessage());
    }

    static Response answer(Response.Status status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(error, detail)).build();
    }
}
