package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.state.SeriesState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write to the store below goes to Kafka's producer, which may wait (metadata, a full buffer):
 * the series store held its map's lock across every write of a flush or an eviction, so each
 * interactive query of the task waited for all of them. Queries are now answered meanwhile.
 */
class SeriesStoreWritesTest {

    private final CountDownLatch writing = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile String slowKey;
    private KeyValueStore<String, byte[]> real;
    private SeriesStore store;

    /** The store below, whose write of {@link #slowKey} waits for {@link #release} as a waiting producer would. */
    @SuppressWarnings("unchecked")
    private SeriesStore open(MemoryBudget budget) {
        real = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("series"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
        KeyValueStore<String, byte[]> slow = (KeyValueStore<String, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("put") && args[0].equals(slowKey)) {
                        writing.countDown();
                        assertTrue(release.await(10, TimeUnit.SECONDS));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        store = new SeriesStore(slow, SeriesStoreTest.CODEC, budget);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        store.connect(key -> null, (key, e) -> { });
        return store;
    }

    @AfterEach
    void close() {
        release.countDown();
        if (store != null) {
            store.close();
        }
    }

    @Test
    void shouldAnswerAQueryWhileAFlushWaitsOnAWrite() throws Exception {
        open(MemoryBudget.unlimited());
        store.create("a", SeriesStoreTest.state(1));
        store.create("b", SeriesStoreTest.state(1, 2));
        slowKey = "a";

        CompletableFuture<Void> flush = CompletableFuture.runAsync(store::flushCache);
        assertTrue(writing.await(5, TimeUnit.SECONDS));
        SeriesState b = CompletableFuture.supplyAsync(() -> store.get("b")).get(1, TimeUnit.SECONDS);
        assertEquals(2, b.history().size());

        release.countDown();
        flush.get(5, TimeUnit.SECONDS);
        assertEquals(0, store.changedKeys());
        assertEquals(1, SeriesStoreTest.CODEC.decode(real.get("a")).history().size());
        assertEquals(2, SeriesStoreTest.CODEC.decode(real.get("b")).history().size());
    }

    @Test
    void shouldAnswerAQueryWhileAnEvictionWaitsOnAWriteAndFindTheEvictedKeyBelowAfter() throws Exception {
        open(new MemoryBudget(2 * SeriesStoreTest.keyBytes("a") + 10));
        store.create("a", SeriesStoreTest.state(1));
        store.create("b", SeriesStoreTest.state(1, 2));
        slowKey = "a";

        CompletableFuture<Void> admit = CompletableFuture.runAsync(() -> store.create("c", SeriesStoreTest.state(1, 2, 3))); // "a" is written out
        assertTrue(writing.await(5, TimeUnit.SECONDS));
        assertEquals(2, CompletableFuture.supplyAsync(() -> store.get("b")).get(1, TimeUnit.SECONDS).history().size());
        assertEquals(1, CompletableFuture.supplyAsync(() -> store.get("a")).get(1, TimeUnit.SECONDS).history().size(),
                "the key being written out is still answered from memory");

        release.countDown();
        admit.get(5, TimeUnit.SECONDS);
        assertEquals(2, store.liveKeys());
        assertEquals(1, store.get("a").history().size(), "gone from memory, answered from below");
    }

    /**
     * Queries used to move the key they read to the recent end of the eviction order: a listing
     * during an eviction that had to drop two keys put the key just admitted first in line, and it
     * was dropped while its record was being processed (its change then never written).
     */
    @Test
    void shouldKeepTheKeyJustAdmittedWhateverQueriesReadMeanwhile() throws Exception {
        MemoryBudget shared = new MemoryBudget(2 * SeriesStoreTest.keyBytes("a") + 10);
        open(shared);
        store.create("a", SeriesStoreTest.state(1));
        store.create("b", SeriesStoreTest.state(1, 2));
        KeyValueStore<String, byte[]> otherBelow = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("other"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        SeriesStore otherTask = new SeriesStore(otherBelow, SeriesStoreTest.CODEC, shared);
        otherTask.init(new MockProcessorContext<>().getStateStoreContext(), otherTask);
        otherTask.connect(key -> null, (key, e) -> { });
        try {
            otherTask.create("x", SeriesStoreTest.state(1)); // the other task's one key: this one must now drop two to admit one
            slowKey = "a";

            CompletableFuture<SeriesStore.Slot> admit = CompletableFuture.supplyAsync(() -> store.create("c", SeriesStoreTest.state(1, 2, 3)));
            assertTrue(writing.await(5, TimeUnit.SECONDS));
            assertEquals(2, CompletableFuture.supplyAsync(() -> store.get("b")).get(1, TimeUnit.SECONDS).history().size(), "a query reads b meanwhile");

            release.countDown();
            SeriesStore.Slot c = admit.get(5, TimeUnit.SECONDS);
            assertEquals(1, store.liveKeys(), "a and b were dropped");
            org.junit.jupiter.api.Assertions.assertSame(c, store.slot("c"), "the key just admitted stays in memory");
            assertEquals(2, SeriesStoreTest.CODEC.decode(real.get("b")).history().size(), "b was written out as it left");
        } finally {
            otherTask.close();
        }
    }
}
