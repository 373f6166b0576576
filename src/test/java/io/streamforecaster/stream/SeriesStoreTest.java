package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamforecaster.history.SeriesState;
import io.streamforecaster.history.SeriesStateSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The series store keeps states in memory and writes each changed one to the store below once per
 * flush (Kafka Streams' prepare-commit) or when it leaves memory; readers on other threads get copies.
 */
class SeriesStoreTest {

    static final SeriesStateSerde SERDE = new SeriesStateSerde(1, 8, 10);

    KeyValueStore<String, SeriesState> below;
    SeriesStore store;

    @BeforeEach
    void open() {
        open(3);
    }

    void open(int capacity) {
        below = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("series"), Serdes.String(), SERDE)
                .withLoggingDisabled().withCachingDisabled().build();
        store = new SeriesStore(below, capacity, s -> SERDE.deserializer().deserialize(null, s.toBytes()));
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static SeriesState state(double... values) {
        SeriesState s = new SeriesState(1, 8, 10);
        for (double v : values) {
            s.append(new double[] {v}, 0);
        }
        return s;
    }

    @Test
    void shouldWriteAChangedStateOnlyWhenFlushedBeforeACommit() {
        SeriesState s = state(1, 2);
        var slot = store.create("k", s);
        s.append(new double[] {3}, 0);
        store.changed(slot);

        assertNull(below.get("k"), "not written when changed");
        assertEquals(1, store.changedKeys());
        assertSame(s, store.live("k"), "the stream thread works on the live object");

        store.flushCache();
        assertEquals(3, below.get("k").size(), "written with every change so far");
        assertEquals(0, store.changedKeys());

        s.append(new double[] {4}, 0);
        store.changed(store.slot("k"));
        store.flush(); // the checkpoint's flush writes too
        assertEquals(4, below.get("k").size());
    }

    @Test
    void shouldWriteAChangedStateThatLeavesMemory() {
        open(2);
        store.create("a", state(1));
        store.create("b", state(1, 2));
        store.create("c", state(1, 2, 3)); // "a" is the least recently used: written, then dropped
        assertEquals(1, below.get("a").size());
        assertNull(below.get("b"));
        assertEquals(2, store.changedKeys());

        SeriesState a = store.live("a"); // read back from below, kept unchanged
        assertEquals(1, a.size());
        assertEquals(1, below.get("a").size());
    }

    @Test
    void shouldGiveOtherThreadsACopyThatTheStreamDoesNotChange() {
        SeriesState s = state(1, 2);
        var slot = store.create("k", s);
        SeriesState seen = store.get("k");
        assertNotSame(s, seen);
        assertEquals(2, seen.size());

        s.append(new double[] {3}, 0);
        store.changed(slot);
        assertEquals(2, seen.size(), "a copy");
        assertEquals(3, store.get("k").size(), "the latest state, before any flush");
        assertNull(store.get("unknown"));
    }

    @Test
    void shouldForgetMemoryWhenKafkaStreamsClearsTheCache() {
        store.create("k", state(1, 2));
        store.flushCache();
        below.put("k", state(7)); // a recycled task's store restored from the changelog
        store.clearCache();
        assertEquals(1, store.live("k").size());
    }

    @Test
    void shouldKeepTheModelInstalledLastBesideTheState() {
        var slot = store.create("k", state(1));
        assertEquals(false, slot.modelKnown);
        var model = io.streamforecaster.model.TestModels.offset(ForecastTopologyTest.settings(io.streamforecaster.config.ColdStart.NAIVE, 1).training(), 1, 1, 10);
        store.modelInstalled("k", model);
        assertSame(model, store.slot("k").model);
        assertEquals(true, store.slot("k").modelKnown);
        store.modelInstalled("elsewhere", model); // a key not in memory: nothing to update
        assertNull(store.slot("elsewhere"));
    }

    @Test
    void shouldRefuseRangeQueriesClearly() {
        var e = assertThrows(UnsupportedOperationException.class, () -> store.all());
        assertEquals("The series store answers single-key queries only (get)", e.getMessage());
    }
}
