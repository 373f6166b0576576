package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.SeriesStateCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The series store keeps states in memory and writes each changed one to the store below once per
 * flush (Kafka Streams' prepare-commit) or when it leaves memory; readers on other threads get
 * copies; what it holds in memory stays within the instance's budget, shared by its tasks.
 */
class SeriesStoreTest {

    static final SeriesStateCodec CODEC = new SeriesStateCodec(1, 8, 10);

    KeyValueStore<String, byte[]> below;
    SeriesStore store;
    MemoryBudget budget;
    final List<String> corrupt = new ArrayList<>();

    @BeforeEach
    void open() {
        open(MemoryBudget.unlimited());
    }

    void open(MemoryBudget budget) {
        this.budget = budget;
        store = open(budget, "series");
        below = lastBelow;
    }

    KeyValueStore<String, byte[]> lastBelow;

    SeriesStore open(MemoryBudget budget, String name) {
        lastBelow = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
        SeriesStore s = new SeriesStore(lastBelow, CODEC, budget);
        s.init(new MockProcessorContext<>().getStateStoreContext(), s);
        s.connect(key -> null, (key, e) -> corrupt.add(key));
        return s;
    }

    @AfterEach
    void close() {
        store.close();
    }

    static SeriesState state(double... values) {
        SeriesState s = CODEC.empty();
        for (double v : values) {
            s.history().append(new double[] {v}, 0);
        }
        return s;
    }

    SeriesState stored(String key) {
        byte[] bytes = below.get(key);
        return bytes == null ? null : CODEC.decode(bytes);
    }

    /** What one key takes in the budget. */
    static long keyBytes(String key) {
        return SeriesStore.SLOT_BYTES + 2L * key.length() + state().heapBytes();
    }

    @Test
    void shouldWriteAChangedStateOnlyWhenFlushedBeforeACommit() {
        SeriesState s = state(1, 2);
        var slot = store.create("k", s);
        s.history().append(new double[] {3}, 0);
        store.changed(slot);

        assertNull(below.get("k"), "not written when changed");
        assertEquals(1, store.changedKeys());
        assertSame(s, store.live("k"), "the stream thread works on the live object");

        store.flushCache();
        assertEquals(3, stored("k").history().size(), "written with every change so far");
        assertEquals(0, store.changedKeys());

        s.history().append(new double[] {4}, 0);
        store.changed(store.slot("k"));
        store.flush(); // the checkpoint's flush writes too
        assertEquals(4, stored("k").history().size());
    }

    @Test
    void shouldWriteAChangedStateThatLeavesMemoryToStayWithinTheBudget() {
        store.close();
        open(new MemoryBudget(2 * keyBytes("a") + 10));
        store.create("a", state(1));
        store.create("b", state(1, 2));
        store.create("c", state(1, 2, 3)); // "a" is the least recently used: written, then dropped
        assertEquals(1, stored("a").history().size());
        assertNull(below.get("b"));
        assertEquals(2, store.changedKeys());
        assertEquals(2, store.liveKeys());
        assertTrue(budget.used() <= budget.limit(), budget.used() + " of " + budget.limit());
        assertEquals(1, budget.evictions());

        SeriesState a = store.live("a"); // read back from below, kept unchanged
        assertEquals(1, a.history().size());
        assertEquals(1, stored("a").history().size());
    }

    @Test
    void shouldShareOneBudgetBetweenTasksAndLetAnIdleTaskGiveMemoryBack() {
        store.close();
        MemoryBudget shared = new MemoryBudget(4 * keyBytes("a1") + 10);
        store = open(shared, "task-1");
        below = lastBelow;
        SeriesStore other = open(shared, "task-2");
        try {
            for (int i = 0; i < 4; i++) {
                store.create("a" + i, state(i)); // task 1 fills the instance's budget
            }
            assertEquals(4, store.liveKeys());
            other.create("b0", state(1)); // over budget: task 2 may only drop its own keys, never task 1's
            assertEquals(4, store.liveKeys());
            assertEquals(1, other.liveKeys());
            assertTrue(shared.over());

            store.trim(); // task 1's punctuation: above its fair share (half), it writes out its eldest key
            assertEquals(3, store.liveKeys());
            assertTrue(!shared.over(), shared.used() + " of " + shared.limit());
            assertTrue(stored("a0") != null, "what leaves memory is written first");
            assertNull(stored("a1"));
            assertEquals(1, other.liveKeys());
        } finally {
            other.close();
        }
        assertEquals(shared.used(), store.heldBytes(), "a closed task gives its memory back");
    }

    /** A punctuation writes out a bounded number of keys; the next ones go on until the budget holds. */
    @Test
    void shouldTrimInBoundedSteps() {
        store.close();
        int keys = 100;
        int others = 4;
        long oneValue = SeriesStore.SLOT_BYTES + state(1).heapBytes(); // a key holding one value, without its name
        MemoryBudget shared = new MemoryBudget(keys * (oneValue + 2 * 4) + others * (oneValue + 2 * 2) + 10);
        store = open(shared, "task-1");
        below = lastBelow;
        SeriesStore other = open(shared, "task-2");
        try {
            for (int i = 0; i < keys; i++) {
                store.create("a" + (100 + i), state(i));
            }
            ModelSnapshot model = io.streamforecaster.model.TestModels.offset(new io.streamforecaster.model.TrainingSettings(
                    io.streamforecaster.model.Variant.VANILLA, 12, 1, 48, 1, 1, 0.01, 7, 1.0, 0, io.streamforecaster.model.TrainingEngine.JAVA),
                    1, 1, 10);
            for (int i = 0; i < others; i++) {
                other.create("b" + i, state(i));
            }
            assertTrue(!shared.over());
            assertEquals(keys, store.liveKeys());
            assertEquals(others, other.liveKeys());
            for (int i = 0; i < others; i++) {
                other.modelInstalled("b" + i, model); // task 2 now holds more than task 1 gives back in one call
            }
            long perKey = store.heldBytes() / keys; // task 1's keys are all of one size
            int needed = (int) Math.ceil((double) (shared.used() - shared.limit()) / perKey);
            assertTrue(needed > 4 && needed < keys / 2, "the test needs models worth several keys: " + needed);
            assertTrue(shared.over());

            store.trim(2);
            assertEquals(keys - 2, store.liveKeys(), "at most two keys per call");
            assertTrue(shared.over());
            int calls = 1;
            while (shared.over() && calls < keys) {
                store.trim(2);
                calls++;
            }
            assertTrue(!shared.over(), "the budget holds after enough calls");
            assertEquals(keys - needed, store.liveKeys(), "no more keys written out than the budget needed");
            assertEquals((needed + 1) / 2, calls);
            assertEquals(others, other.liveKeys());
        } finally {
            other.close();
        }
    }

    /**
     * A new key enters memory before its first forecasts; with a horizon above 1 its per-step
     * statistics (h² + 3h doubles) come with them. They were never counted, so a fresh deployment
     * could hold several times its budget; a changed state is counted again.
     */
    @Test
    void shouldCountWhatAStateGrowsAfterItEnteredMemory() {
        SeriesState s = state(1);
        var slot = store.create("k", s);
        long before = budget.used();
        s.horizon().record(new double[48], 1, 48);
        long grown = s.heapBytes() - state(1).heapBytes();
        assertTrue(grown > 8L * 48 * 48, "h² doubles: " + grown);
        store.changed(slot);
        assertEquals(before + grown, budget.used());
        assertEquals(budget.used(), store.heldBytes());
    }

    @Test
    void shouldCountAModelInTheBudgetOfItsKey() {
        var slot = store.create("k", state(1));
        long before = budget.used();
        ModelSnapshot model = io.streamforecaster.model.TestModels.offset(
                ForecastTopologyTest.settings(io.streamforecaster.config.ColdStart.NAIVE, 1).training(), 1, 1, 10);
        store.modelInstalled("k", model);
        assertEquals(before + model.heapBytes(), budget.used());
        assertSame(model, store.model("k", slot));
    }

    @Test
    void shouldGiveOtherThreadsACopyThatTheStreamDoesNotChange() {
        SeriesState s = state(1, 2);
        var slot = store.create("k", s);
        SeriesState seen = store.get("k");
        assertNotSame(s, seen);
        assertEquals(2, seen.history().size());

        s.history().append(new double[] {3}, 0);
        store.changed(slot);
        assertEquals(2, seen.history().size(), "a copy");
        assertEquals(3, store.get("k").history().size(), "the latest state, before any flush");
        assertNull(store.get("unknown"));
    }

    @Test
    void shouldForgetMemoryWhenKafkaStreamsClearsTheCache() {
        store.create("k", state(1, 2));
        store.flushCache();
        below.put("k", CODEC.encode(state(7))); // a recycled task's store restored from the changelog
        store.clearCache();
        assertEquals(1, store.live("k").history().size());
        assertEquals(store.heldBytes(), budget.used());
    }

    @Test
    void shouldTreatAnUnreadableStoredStateAsAbsentAndReportIt() {
        byte[] bytes = CODEC.encode(state(1, 2, 3));
        bytes[bytes.length / 2] ^= 0x40; // the checksum no longer matches
        below.put("k", bytes);
        below.put("junk", new byte[] {1, 2, 3});

        assertNull(store.slot("k"), "the key starts afresh");
        assertNull(store.slot("junk"));
        assertEquals(List.of("k", "junk"), corrupt);
        assertNull(store.get("k"), "queries see no state rather than an error");

        var slot = store.create("k", state(9));
        store.changed(slot);
        store.flushCache();
        assertEquals(1, stored("k").history().size(), "the fresh state replaces the unreadable record");
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
        var e = assertThrows(UnsupportedOperationException.class, () -> store.range("a", "b"));
        assertTrue(e.getMessage().contains("not ranges"), e.getMessage());
    }

    @Test
    void shouldListEveryKeyOnceFromMemoryAndBelowLeavingOutUnreadableRecords() {
        store.close();
        open(new MemoryBudget(2 * keyBytes("a") + 10));
        store.create("a", state(1));
        store.create("b", state(1, 2));
        store.create("c", state(1, 2, 3)); // a is written below and dropped from memory
        var slot = store.slot("c");
        slot.state.history().append(new double[] {4}, 0); // a change not flushed yet: the listing shows it
        store.changed(slot);
        below.put("junk", new byte[] {1, 2, 3});

        java.util.Map<String, Integer> listed = new java.util.TreeMap<>();
        try (var it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                assertTrue(listed.put(kv.key, kv.value.history().size()) == null, "listed once: " + kv.key);
            }
        }
        assertEquals(java.util.Map.of("a", 1, "b", 2, "c", 4), listed);
    }
}
