package io.streamforecaster.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /series}: every key of every instance, paged, searchable and sorted, worst first by default. */
@Path("/series")
@Produces(MediaType.APPLICATION_JSON)
public class SeriesListResource {

    static final int MAX_LIMIT = 1000;

    @Inject
    SeriesOverview overview;

    @GET
    public Response list(@QueryParam("offset") String offset, @QueryParam("limit") String limit, @QueryParam("q") String q,
                         @QueryParam("sort") String sort, @QueryParam("scope") String scope,
                         @HeaderParam(SeriesResource.FORWARDED) String forwarded, @Context HttpHeaders headers) {
        if ("local".equals(scope)) { // another instance gathering the overview: this instance's own keys
            return Response.ok(overview.local()).build();
        }
        int from;
        int size;
        try {
            from = offset == null ? 0 : Integer.parseInt(offset);
            size = limit == null ? 50 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            return bad("offset and limit must be whole numbers");
        }
        if (from < 0 || size < 1 || size > MAX_LIMIT) {
            return bad("offset must be 0 or more and limit 1 to " + MAX_LIMIT);
        }
        if (q != null && q.length() > 1024) {
            return bad("q is too long");
        }
        try {
            return Response.ok(overview.page(from, size, q, sort, Peers.Credentials.of(headers))).build();
        } catch (IllegalArgumentException e) {
            return bad("sort takes ratio, coverage, age, version, source or key, with a leading '-' to reverse; got '" + sort + "'");
        }
    }

    private static Response bad(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new SeriesResource.ErrorBody(message)).build();
    }
}
