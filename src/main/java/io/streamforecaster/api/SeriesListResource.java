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

    @Inject
    OverviewBudget budget;

    @GET
    public Response list(@QueryParam("offset") String offset, @QueryParam("limit") String limit, @QueryParam("q") String q,
                         @QueryParam("sort") String sort, @QueryParam("scope") String scope, @QueryParam("top") String top,
                         @HeaderParam(SeriesResource.FORWARDED) String forwarded, @Context HttpHeaders headers) {
        String why = queries.unavailability();
        if (why != null) {
            return SeriesResource.unavailable(why);
        }
        if ("local".equals(scope)) {
            return local(q, sort, top);
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
        if ((long) from + size > OverviewBudget.MAX_WINDOW) {
            return bad("offset + limit must be at most " + OverviewBudget.MAX_WINDOW + ": narrow the list with q, or sort it the other way");
        }
        if (q != null && q.length() > 1024) {
            return bad("q is too long");
        }
        if (badSort(sort)) {
            return bad(SORTS + "; got '" + sort + "'");
        }
        var lease = budget.take(from + size);
        if (lease.isEmpty()) {
            return SeriesResource.unavailable("too many overview pages are being gathered at once here; retry, or ask for a shallower page");
        }
        try (var held = lease.get()) {
            return Response.ok(overview.page(from, size, q, sort, Peers.Credentials.of(headers))).build();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return stopped(e);
        }
    }

    private static final String SORTS = "sort takes ratio, coverage, age, version, source or key, with a leading '-' to reverse";

    private static boolean badSort(String sort) {
        try {
            SeriesOverview.Sort.parse(sort);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /**
     * Another instance gathering the overview: the first {@code top} of this instance's own keys
     * containing {@code q} in the {@code sort} order, and their count. Instances before 6d2e26a
     * asked for all keys, without {@code top}: such a listing has no bound (30 MB of JSON for
     * 100,000 keys, for anyone who asks), so it is refused, and their pages show this instance as
     * missing until they are updated.
     */
    private Response local(String q, String sort, String top) {
        int n;
        try {
            n = top == null ? -1 : Integer.parseInt(top);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > OverviewBudget.MAX_WINDOW) {
            return bad("scope=local takes top, a whole number from 1 to " + OverviewBudget.MAX_WINDOW);
        }
        if (badSort(sort)) {
            return bad(SORTS + "; got '" + sort + "'");
        }
        var lease = budget.listing(n);
        if (lease.isEmpty()) {
            return SeriesResource.unavailable("too many listings are being answered at once here; retry");
        }
        try (var held = lease.get()) {
            SeriesOverview.Listing own = overview.local();
            Response.ResponseBuilder ok = Response.ok(SeriesOverview.Top.of(own.items(), q, SeriesOverview.Sort.parse(sort), n));
            ok.header(SeriesOverview.LISTED, own.listed().isEmpty() ? SeriesOverview.NONE_LISTED : PartitionCoverage.format(own.listed()));
            return (own.unqueryable().isEmpty() ? ok : ok.header(SeriesOverview.UNQUERYABLE, PartitionCoverage.format(own.unqueryable()))).build();
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
