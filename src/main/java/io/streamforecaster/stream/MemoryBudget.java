package io.streamforecaster.stream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory one instance gives to keys' decoded states and models, shared by all its tasks: each
 * task's series store accounts for what it holds here and, while the instance is over budget,
 * writes out and drops its own least recently used keys (each store is changed by its own stream
 * thread only, so a store never evicts another's keys); at each punctuation a store over its fair
 * share trims itself, so an idle task cannot keep memory an active one needs.
 */
public final class MemoryBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicInteger stores = new AtomicInteger();

    public MemoryBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("Invalid forecaster.memory.budget = " + limit + " bytes");
        }
        this.limit = limit;
    }

    /** Most of the heap a budget may take: the rest is the stream's own (Kafka's buffers, requests, training). */
    static final double MAX_HEAP_SHARE = 0.8;

    /**
     * The instance's budget: {@code forecaster.memory.budget}, or 30 % of the heap when unset.
     *
     * @throws IllegalArgumentException naming the setting when it leaves too little of the heap to the rest
     */
    public static MemoryBudget forHeap(java.util.OptionalLong configured, long maxHeap) {
        long budget = configured.orElse(maxHeap * 3 / 10);
        if (configured.isPresent() && budget > maxHeap * MAX_HEAP_SHARE) {
            throw new IllegalArgumentException("Invalid forecaster.memory.budget = " + budget + " bytes: the heap is " + maxHeap
                    + " bytes (-Xmx), and the budget may take at most " + (int) (MAX_HEAP_SHARE * 100)
                    + " % of it; lower the budget or give the JVM more heap");
        }
        return new MemoryBudget(budget);
    }

    /** A budget that never runs out, for tools and tests that want every key in memory. */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    void add(long bytes) {
        used.addAndGet(bytes);
    }

    void evicted(long bytes) {
        used.addAndGet(-bytes);
        evictions.incrementAndGet();
    }

    void released(long bytes) {
        used.addAndGet(-bytes);
    }

    boolean over() {
        return used.get() > limit;
    }

    void storeOpened() {
        stores.incrementAndGet();
    }

    void storeClosed() {
        stores.decrementAndGet();
    }

    /** What one store may keep when the budget is short: an equal share. */
    long fairShare() {
        return limit / Math.max(1, stores.get());
    }

    public long limit() {
        return limit;
    }

    /** Bytes held now (an estimate of the heap the decoded states and models take). */
    public long used() {
        return used.get();
    }

    /** Keys written out and dropped from memory to stay within the budget, so far. */
    public long evictions() {
        return evictions.get();
    }
}
