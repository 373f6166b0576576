package io.streamforecaster.api;

import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Bounds the overview's work in flight on one instance. A page of {@code GET /series} asks every
 * other instance for its first {@code offset + limit} keys and holds their answers while it merges
 * them, so its memory grows with the page's depth times the instances. Each page takes as many
 * items from this budget as it asks each instance for, and gives them back when it is done; a page
 * that finds too few left is answered 503 at once, rather than let many deep pages together run
 * the heap out (the pod would then restart, and its partitions move and restore).
 */
@jakarta.inject.Singleton
public class OverviewBudget {

    /** The deepest item a page may reach ({@code offset + limit}), and a listing's most keys ({@code top}). */
    static final int MAX_WINDOW = 10_000;
    /** Pages of the deepest kind that may run at once; shallower ones share the same items. */
    static final int DEEPEST_AT_ONCE = 4;

    private final Semaphore pages;
    private final Semaphore listings;

    public OverviewBudget() {
        this(DEEPEST_AT_ONCE * MAX_WINDOW);
    }

    /** @param items for the pages gathered here, and as many for the listings this instance answers to others */
    OverviewBudget(int items) {
        this.pages = new Semaphore(items);
        this.listings = new Semaphore(items);
    }

    /** Items for a page gathered here that asks each instance for {@code n} keys, if that many are free now; close the lease when done. */
    Optional<Lease> take(int n) {
        return take(pages, n);
    }

    /**
     * Items for a listing of this instance's first {@code n} keys that another instance (or anyone)
     * asked for ({@code scope=local}): a budget apart from the pages', so that instances gathering
     * pages at once never refuse each other's listings for want of their own pages' items.
     */
    Optional<Lease> listing(int n) {
        return take(listings, n);
    }

    private static Optional<Lease> take(Semaphore items, int n) {
        if (n < 1 || n > MAX_WINDOW) {
            throw new IllegalArgumentException("A page asks for 1 to " + MAX_WINDOW + " keys, not " + n);
        }
        return items.tryAcquire(n) ? Optional.of(new Lease(items, n)) : Optional.empty();
    }

    /** Items free now for pages gathered here. */
    int free() {
        return pages.availablePermits();
    }

    /** Items free now for listings answered here. */
    int freeForListings() {
        return listings.availablePermits();
    }

    /** Items a page or listing holds until it is closed. */
    static final class Lease implements AutoCloseable {
        private final Semaphore items;
        private final int n;
        private boolean closed;

        private Lease(Semaphore items, int n) {
            this.items = items;
            this.n = n;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                items.release(n);
            }
        }
    }
}
