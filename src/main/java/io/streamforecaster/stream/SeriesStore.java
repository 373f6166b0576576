package io.streamforecaster.stream;

import io.streamforecaster.history.SeriesState;
import io.streamforecaster.model.ModelSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The series store: every key's state, kept decoded in memory for the stream thread and written
 * to the changelogged RocksDB store below only when Kafka Streams flushes its caches before a
 * commit (or when the key leaves memory), not on every event.
 *
 * <p>Why: a key's state holds its whole history (4 KB with 512 values). Kafka Streams' own record
 * cache takes bytes, so with it every event serialised the whole state: the largest cost of the
 * hot path after the forecast itself, and most of its garbage. This store keeps the objects
 * instead, and serialises each changed key once per commit, as the record cache would write it
 * once per commit. It is a cache in Kafka Streams' sense ({@link CachedStateStore}): its
 * {@link #flushCache()} runs in the task's prepare-commit, before the changelog is flushed and the
 * input offsets are committed, so a crash can lose nothing the offsets claim (at least once, as
 * with the record cache); it is cleared when a task's state is recycled.
 *
 * <p>Threads: the owning stream thread reads and changes states through {@link #slot},
 * {@link #create} and {@link #changed}, and holds a state's monitor while it changes it. Interactive queries call
 * {@link #get}, which returns a copy taken under that monitor: a consistent state, never one half
 * changed. Range queries are not offered: the service looks up single keys only.
 */
public final class SeriesStore implements StateStore, ReadOnlyKeyValueStore<String, SeriesState>,
        CachedStateStore<String, SeriesState> {

    private final KeyValueStore<String, SeriesState> inner;
    private final Function<SeriesState, SeriesState> copy;
    /** Recently used keys' slots, in access order; guarded by itself. */
    private final Map<String, Slot> live;

    /**
     * A key's live state, and what the processor keeps beside it so that one map look-up per event
     * serves both: the key's decoded model. Stream thread only, apart from the state's monitor.
     */
    static final class Slot {
        final SeriesState state;
        boolean dirty;
        /** The key's model as last looked up or installed, valid while {@link #modelKnown}. */
        ModelSnapshot model;
        boolean modelKnown;

        Slot(SeriesState state, boolean dirty) {
            this.state = state;
            this.dirty = dirty;
        }
    }

    /**
     * @param inner the changelogged store, without a record cache
     * @param capacity keys kept in memory; the least recently used one is written (if changed) and dropped
     * @param copy a deep copy of a state, for readers on other threads
     */
    SeriesStore(KeyValueStore<String, SeriesState> inner, int capacity, Function<SeriesState, SeriesState> copy) {
        this.inner = inner;
        this.copy = copy;
        this.live = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
                if (size() <= capacity) {
                    return false;
                }
                if (eldest.getValue().dirty) {
                    inner.put(eldest.getKey(), eldest.getValue().state);
                }
                return true;
            }
        };
    }

    /** A builder over a persistent, changelogged key-value store of states: its record cache is this store. */
    static StoreBuilder<SeriesStore> builder(String name, Serde<SeriesState> serde, int capacity, Function<SeriesState, SeriesState> copy) {
        return new Builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), org.apache.kafka.common.serialization.Serdes.String(), serde)
                .withCachingDisabled(), capacity, copy);
    }

    // --- the stream thread

    /**
     * The key's slot, its live state to be changed (under the state's monitor) and then marked with
     * {@link #changed}; null for a key never seen. Stream thread only.
     */
    Slot slot(String key) {
        synchronized (live) {
            Slot slot = live.get(key);
            if (slot != null) {
                return slot;
            }
        }
        SeriesState stored = inner.get(key);
        if (stored == null) {
            return null;
        }
        Slot slot = new Slot(stored, false);
        synchronized (live) {
            live.put(key, slot);
        }
        return slot;
    }

    /** The key's live state, or null for a key never seen. Stream thread only. */
    SeriesState live(String key) {
        Slot slot = slot(key);
        return slot == null ? null : slot.state;
    }

    /** A slot for a new key's state, changed. Stream thread only. */
    Slot create(String key, SeriesState state) {
        Slot slot = new Slot(state, true);
        synchronized (live) {
            live.put(key, slot);
        }
        return slot;
    }

    /**
     * Marks the slot's state as changed: it is written at the next flush. The slot must still be in
     * memory, as it is from {@link #slot} to the end of the same record's processing (only
     * {@link #slot} and {@link #create} make room). Stream thread only.
     */
    void changed(Slot slot) {
        slot.dirty = true;
    }

    /** Records (stream thread) that the key's model is now {@code model}, for its slot if in memory. */
    void modelInstalled(String key, ModelSnapshot model) {
        Slot slot;
        synchronized (live) {
            slot = live.get(key);
        }
        if (slot != null) {
            slot.model = model;
            slot.modelKnown = true;
        }
    }

    /** Writes every changed state to the store below (which logs it to the changelog). */
    private void writeChanged() {
        synchronized (live) {
            for (Map.Entry<String, Slot> e : live.entrySet()) {
                Slot entry = e.getValue();
                if (entry.dirty) {
                    inner.put(e.getKey(), entry.state);
                    entry.dirty = false;
                }
            }
        }
    }

    /** Keys whose changes have not reached the store below yet (for tests and diagnostics). */
    int changedKeys() {
        synchronized (live) {
            int n = 0;
            for (Slot e : live.values()) {
                n += e.dirty ? 1 : 0;
            }
            return n;
        }
    }

    // --- CachedStateStore: called by Kafka Streams before it flushes the producer and commits

    @Override
    public void flushCache() {
        writeChanged();
    }

    @Override
    public void clearCache() {
        synchronized (live) {
            live.clear();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, SeriesState> listener, boolean sendOldValues) {
        return false; // nothing downstream listens to this store's changes
    }

    // --- StateStore

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
        writeChanged();
        inner.flush();
    }

    @Override
    public void close() {
        clearCache(); // a clean close committed (and so wrote) every change first; a dirty one must not write
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    /** Interactive queries v2 see the store below: states as of the last commit. */
    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    // --- ReadOnlyKeyValueStore: interactive queries, from any thread

    /** A copy of the key's latest state, safe to read while the stream goes on; null for an unknown key. */
    @Override
    public SeriesState get(String key) {
        SeriesState state;
        synchronized (live) {
            Slot slot = live.get(key);
            state = slot == null ? null : slot.state;
        }
        if (state == null) {
            return inner.get(key);
        }
        synchronized (state) {
            return copy.apply(state);
        }
    }

    @Override
    public KeyValueIterator<String, SeriesState> range(String from, String to) {
        throw rangeUnsupported();
    }

    @Override
    public KeyValueIterator<String, SeriesState> all() {
        throw rangeUnsupported();
    }

    private UnsupportedOperationException rangeUnsupported() {
        return new UnsupportedOperationException("The series store answers single-key queries only (get)");
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    private static final class Builder implements StoreBuilder<SeriesStore> {
        private final StoreBuilder<KeyValueStore<String, SeriesState>> inner;
        private final int capacity;
        private final Function<SeriesState, SeriesState> copy;

        Builder(StoreBuilder<KeyValueStore<String, SeriesState>> inner, int capacity, Function<SeriesState, SeriesState> copy) {
            this.inner = inner;
            this.capacity = capacity;
            this.copy = copy;
        }

        @Override
        public StoreBuilder<SeriesStore> withCachingEnabled() {
            return this; // this store is the cache
        }

        @Override
        public StoreBuilder<SeriesStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<SeriesStore> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<SeriesStore> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public SeriesStore build() {
            return new SeriesStore(inner.build(), capacity, copy);
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
