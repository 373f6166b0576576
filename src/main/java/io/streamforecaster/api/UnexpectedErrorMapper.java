package io.streamforecaster.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Whatever escapes a resource becomes a JSON answer without a stack trace: the client gets the
 * status and an id to find the full error in the log, never the service's internals.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    /**
     * Whether writing the answer failed because the client had closed the connection (a browser
     * leaving the page mid-request): Vert.x' output stream then throws an IOException saying so.
     */
    static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null && t.getMessage().contains("Connection has been closed")) {
                return true;
            }
            if (t instanceof io.vertx.core.http.HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof WebApplicationException w && w.getResponse().getStatus() < 500) {
            int status = w.getResponse().getStatus();
            return Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity(new SeriesResource.ErrorBody(Response.Status.fromStatusCode(status) == null
                            ? "request refused" : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(java.util.Locale.ROOT)))
                    .build();
        }
        String id = UUID.randomUUID().toString();
        if (clientGone(e)) { // nobody is left to read the answer, and nothing of ours failed
            LOG.debugf("The client closed the connection before its answer was written (id %s): %s", id, e);
        } else {
            LOG.errorf(e, "Request failed (error id %s)", id);
        }
        return Response.serverError().type(MediaType.APPLICATION_JSON)
                .entity(new SeriesResource.ErrorBody("internal error; the service log has it under id " + id)).build();
    }
}
