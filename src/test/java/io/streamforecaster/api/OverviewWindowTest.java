package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /series} had no bound on its depth: {@code offset=2000000000} made every other
 * instance list and send all its keys, and so did {@code scope=local} without {@code top}. A few
 * such requests at once could run an instance's heap out. A page now reaches at most
 * {@link OverviewBudget#MAX_WINDOW} keys deep, and deep pages at once share a bounded budget.
 */
class OverviewWindowTest {

    /** The pages the resource let through to the overview, by depth. */
    private final List<Integer> gathered = new ArrayList<>();

    private SeriesListResource resource(OverviewBudget budget) {
        SeriesListResource r = new SeriesListResource();
        r.queries = new SeriesQueries() {
            @Override
            public String unavailability() {
                return null; // Kafka Streams runs
            }
        };
        r.overview = new SeriesOverview() {
            @Override
            public Page page(int offset, int limit, String q, String sort, Peers.Credentials credentials) {
                gathered.add(offset + limit);
                return new Page(0, offset, limit, false, List.of(), List.of());
            }

            @Override
            public Listing local() {
                return new Listing(List.of(), java.util.Set.of(0), java.util.Set.of());
            }
        };
        r.budget = budget;
        return r;
    }

    private static Response list(SeriesListResource r, String offset, String limit, String scope, String top) {
        return r.list(offset, limit, null, null, scope, top, null, SeriesResourceForwardingTest.NO_HEADERS);
    }

    @Test
    void shouldRefuseAPageDeeperThanTheWindow() {
        SeriesListResource r = resource(new OverviewBudget());

        Response deep = list(r, "2000000000", "1", null, null);
        assertEquals(400, deep.getStatus());
        assertTrue(((SeriesResource.ErrorBody) deep.getEntity()).error().contains("offset + limit must be at most 10000"),
                deep.getEntity().toString());
        assertEquals(400, list(r, "9001", "1000", null, null).getStatus(), "one past the window");
        assertEquals(200, list(r, "9000", "1000", null, null).getStatus(), "the window's last page");
        assertEquals(List.of(10_000), gathered, "only the page within the window was gathered");
    }

    @Test
    void shouldRefuseALocalListingWithoutABound() {
        SeriesListResource r = resource(new OverviewBudget());

        for (String top : new String[] {null, "0", "10001", "2147483647", "x"}) {
            Response answer = list(r, null, null, "local", top);
            assertEquals(400, answer.getStatus(), "top=" + top);
            assertTrue(((SeriesResource.ErrorBody) answer.getEntity()).error().contains("top, a whole number from 1 to 10000"),
                    answer.getEntity().toString());
        }
    }

    @Test
    void shouldAnswer503WhileDeepPagesUseTheBudgetAndLetThemThroughOnceItIsBack() {
        OverviewBudget budget = new OverviewBudget(1_000);
        SeriesListResource r = resource(budget);
        var held = budget.take(990).orElseThrow(); // deep pages being gathered now

        Response busy = list(r, "0", "50", null, null);
        assertEquals(503, busy.getStatus());
        assertEquals("2", busy.getHeaderString("Retry-After"));
        assertTrue(gathered.isEmpty(), "nothing gathered while the budget is short");
        assertEquals(200, list(r, "0", "10", null, null).getStatus(), "a page that fits what is left");

        held.close();
        assertEquals(200, list(r, "0", "50", null, null).getStatus());
        assertEquals(1_000, budget.free(), "every page gave its items back");
        assertEquals(List.of(10, 50), gathered);
    }

    @Test
    void shouldGiveTheItemsBackWhenThePageFails() {
        OverviewBudget budget = new OverviewBudget(100);
        SeriesListResource r = resource(budget);
        r.overview = new SeriesOverview() {
            @Override
            public Page page(int offset, int limit, String q, String sort, Peers.Credentials credentials) {
                throw new IllegalStateException("Kafka Streams stopped");
            }
        };
        r.queries = new SeriesQueries() {
            private int asked;

            @Override
            public String unavailability() {
                return asked++ == 0 ? null : "Kafka Streams is PENDING_SHUTDOWN";
            }
        };

        assertEquals(503, list(r, "0", "100", null, null).getStatus());
        assertEquals(100, budget.free());
    }

    /** The operator page stops its "next" button at the window, so it must know the same one. */
    @Test
    void shouldGiveTheOperatorPageTheSameWindow() throws Exception {
        String js = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/resources/META-INF/resources/page.js"));
        assertTrue(js.contains("const MAX_WINDOW = " + OverviewBudget.MAX_WINDOW + ";"), "page.js names another window");
    }

    /** Listings answered to other instances (or to anyone asking scope=local) have a budget of their own. */
    @Test
    void shouldAnswer503WhileListingsUseTheirBudgetWithoutTakingThePagesOne() {
        OverviewBudget budget = new OverviewBudget(1_000);
        SeriesListResource r = resource(budget);
        var held = budget.listing(990).orElseThrow(); // listings being answered now

        Response busy = list(r, null, null, "local", "50");
        assertEquals(503, busy.getStatus());
        assertEquals(200, list(r, null, null, "local", "10").getStatus(), "a listing that fits what is left");
        assertEquals(200, list(r, "0", "50", null, null).getStatus(), "pages gathered here have their own budget");

        held.close();
        assertEquals(200, list(r, null, null, "local", "50").getStatus());
        assertEquals(1_000, budget.freeForListings(), "every listing gave its items back");
        assertEquals(1_000, budget.free());
    }
}
