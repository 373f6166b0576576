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
import java.util.Comparator;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/** {@code GET /series}: every key of every instance, paged, searchable and sorted, worst first by default. */
@Path("/series")
@Produces(MediaType.APPLICATION_JSON)
public class SeriesListResource {

    static final int MAX_LIMIT = 1000;

    @Inject
    SeriesOverview overview;

    @Inject
    SeriesQueries queries;

    @GET
    public Response list(@QueryParam("offset") String offset, @QueryParam("limit") String limit, @QueryParam("q") String q,
                         @QueryParam("sort") String sort, @QueryParam("scope") String scope,
                         @HeaderParam(SeriesResource.FORWARDED) String forwarded, @Context HttpHeaders headers) {
        String why = queries.unavailability();
        if (why != null) {
            return SeriesResource.unavailable(why);
        }
        if ("local".equals(scope)) { // another instance gathering the overview: this instance's own keys
            try {
                SeriesOverview.Listing own = overview.local();
                Response.ResponseBuilder ok = Response.ok(own.items());
                return (own.unqueryable().isEmpty() ? ok : ok.header(SeriesOverview.UNQUERYABLE, PartitionCoverage.format(own.unqueryable()))).build();
            } catch (InvalidStateStoreException | IllegalStateException e) {
                return stopped(e);
            }
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
        Comparator<SeriesSummary> order;
        try {
            order = SeriesOverview.Sort.parse(sort);
        } catch (IllegalArgumentException e) {
            return bad("sort takes ratio, coverage, age, version, source or key, with a leading '-' to reverse; got '" + sort + "'");
        }
        try {
            return Response.ok(overview.page(from, size, q, order, Peers.Credentials.of(headers))).build();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return stopped(e);
        }
    }

    /** Kafka Streams stopped (or was not started again yet) while the listing ran: 503; any other such failure is a bug, answered 500 with its id. */
    private Response stopped(RuntimeException e) {
        String why = queries.unavailability();
        if (why == null) {
            throw e;
        }
        return SeriesResource.unavailable(why);
    }

    private static Response bad(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new SeriesResource.ErrorBody(message)).build();
    }
}
