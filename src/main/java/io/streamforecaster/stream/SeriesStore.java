package io.streamforecaster.stream;

import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.SeriesStateCodec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
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
import org.jboss.logging.Logger;

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
 * <p>Memory: what the store keeps in memory (states and the keys' decoded models) is accounted
 * in the instance's {@link MemoryBudget}; over budget, the least recently used keys are written
 * (if changed) and dropped. A stored record that cannot be read is logged, counted and treated as
 * absent: its key starts afresh, and the next flush overwrites the record.
 *
 * <p>Threads: the owning stream thread reads and changes states through {@link #slot},
 * {@link #create} and {@link #changed}, and holds a state's monitor while it changes it; the
 * order in which keys leave memory is its alone. Interactive queries find slots in a concurrent map
 * of their own and call {@link #get}, which returns a copy taken under the state's monitor: a
 * consistent state, never one half changed; they never wait for the stream thread's writes below.
 * Listings ({@link #all}) copy one key at a time; range queries are not offered.
 */
public final class SeriesStore implements StateStore, ReadOnlyKeyValueStore<String, SeriesState>,
        CachedStateStore<String, SeriesState> {

    private static final Logger LOG = Logger.getLogger(SeriesStore.class);
    /** A slot's own cost beside its state and model: the two maps' entries, slot, key. */
    static final int SLOT_BYTES = 200;

    private final KeyValueStore<String, byte[]> inner;
    private final SeriesStateCodec codec;
    private final MemoryBudget budget;
    /**
     * Recently used keys' slots, in the stream thread's order of use; the stream thread's alone (Kafka
     * Streams' state updater thread also flushes the store while the task restores, when this is empty).
     */
    private final LinkedHashMap<String, Slot> live = new LinkedHashMap<>(1024, 0.75f, true);
    /**
     * The same slots, for interactive queries on other threads. They used to look keys up in
     * {@link #live} under a lock, and each look-up moved the key to the recent end: a listing
     * reordered every key, and the key the stream thread had just admitted could become the next
     * to be dropped while its record was still being processed, its change then never written.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Slot> readable = new java.util.concurrent.ConcurrentHashMap<>(1024);
    /** Bytes of this store's slots; stream thread only (read by it alone). */
    private long held;
    private BiConsumer<String, RuntimeException> corrupt = (key, e) -> { };
    private Function<String, ModelSnapshot> models = key -> null;

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
        long bytes;
        /** What the state took when last counted (it grows: a new key's per-step statistics come with its first forecasts). */
        long stateBytes;

        Slot(SeriesState state, boolean dirty) {
            this.state = state;
            this.dirty = dirty;
        }
    }

    /**
     * @param inner the changelogged store of state records, without a record cache
     * @param budget the instance's memory for decoded states and models, shared with its other tasks
     */
    SeriesStore(KeyValueStore<String, byte[]> inner, SeriesStateCodec codec, MemoryBudget budget) {
        this.inner = inner;
        this.codec = codec;
        this.budget = budget;
    }

    /** A builder over a persistent, changelogged key-value store of state records: its record cache is this store. */
    static StoreBuilder<SeriesStore> builder(String name, SeriesStateCodec codec, MemoryBudget budget) {
        return new Builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray())
                .withCachingDisabled(), codec, budget);
    }

    /**
     * Wires what the store needs from its task: how to read a key's model, and whom to tell of a
     * record that cannot be read (stream thread, at the processor's init).
     */
    void connect(Function<String, ModelSnapshot> models, BiConsumer<String, RuntimeException> corrupt) {
        this.models = models;
        this.corrupt = corrupt;
    }

    // --- the stream thread

    /**
     * The key's slot, its live state to be changed (under the state's monitor) and then marked with
     * {@link #changed}; null for a key never seen, or whose stored state could not be read.
     */
    Slot slot(String key) {
        Slot slot = live.get(key);
        if (slot != null) {
            return slot;
        }
        SeriesState stored = read(key);
        return stored == null ? null : admit(key, new Slot(stored, false));
    }

    private SeriesState read(String key) {
        byte[] bytes = inner.get(key);
        if (bytes == null) {
            return null;
        }
        try {
            return codec.decode(bytes); // null when it cannot be carried over to today's shape: the key starts afresh
        } catch (RuntimeException e) {
            corrupt.accept(key, e);
            return null;
        }
    }

    /** The key's live state, or null for a key never seen. Stream thread only. */
    SeriesState live(String key) {
        Slot slot = slot(key);
        return slot == null ? null : slot.state;
    }

    /**
     * The key's state if it is in memory, else null: nothing is read from the store below, so
     * nothing else is written out to make room. Stream thread only.
     */
    SeriesState inMemory(String key) {
        Slot slot = live.get(key);
        return slot == null ? null : slot.state;
    }

    /** A slot for a new key's state, changed. Stream thread only. */
    Slot create(String key, SeriesState state) {
        return admit(key, new Slot(state, true));
    }

    private Slot admit(String key, Slot slot) {
        slot.stateBytes = state(slot.state);
        slot.bytes = SLOT_BYTES + 2L * key.length() + slot.stateBytes;
        Slot previous = live.put(key, slot);
        readable.put(key, slot);
        if (previous != null) {
            release(previous.bytes);
        }
        held += slot.bytes;
        budget.add(slot.bytes);
        shrinkWhile(0, 1); // over budget: this task makes room from its own least recently used keys
        return slot;
    }

    /** The key's model (decoded once, then kept in its slot until a new one is installed). */
    ModelSnapshot model(String key, Slot slot) {
        if (!slot.modelKnown) { // looked up once while the key stays in memory; installs update it
            setModel(slot, models.apply(key));
        }
        return slot.model;
    }

    private void setModel(Slot slot, ModelSnapshot model) {
        long before = slot.modelKnown && slot.model != null ? slot.model.heapBytes() : 0;
        long after = model == null ? 0 : model.heapBytes();
        slot.model = model;
        slot.modelKnown = true;
        slot.bytes += after - before;
        held += after - before;
        budget.add(after - before);
    }

    /**
     * Marks the slot's state as changed: it is written at the next flush. The slot must still be in
     * memory, as it is from {@link #slot} to the end of the same record's processing (only
     * {@link #slot} and {@link #create} make room, and never by dropping the newest key). Stream thread only.
     */
    void changed(Slot slot) {
        slot.dirty = true;
        long now = state(slot.state);
        if (now != slot.stateBytes) { // counted again: a new key's arrays come after it entered memory
            long delta = now - slot.stateBytes;
            slot.stateBytes = now;
            slot.bytes += delta;
            held += delta;
            budget.add(delta);
        }
    }

    /** Records (stream thread) that the key's model is now {@code model}, for its slot if in memory. */
    void modelInstalled(String key, ModelSnapshot model) {
        Slot slot = live.get(key);
        if (slot != null) {
            setModel(slot, model);
        }
    }

    /**
     * The most keys one punctuation's trim writes out: 1,000 held a stream thread for 0.6 s at
     * 100,000 keys (about 0.5 ms a key to encode and write), so a quarter of that.
     */
    static final int TRIM_KEYS = 250;

    /**
     * While the instance is over budget and this store holds more than its fair share, writes out
     * and drops its least recently used keys (at punctuation, so an idle task gives memory back).
     */
    void trim() {
        trim(TRIM_KEYS);
    }

    /**
     * As {@link #trim()}, writing out at most {@code maxKeys} keys: a punctuation that had to write
     * out tens of thousands of keys at once held its stream thread for over a second (100,000 keys,
     * BENCHMARKS.md §3); the rest goes at the next punctuations.
     */
    void trim(int maxKeys) {
        if (budget.over()) {
            shrinkWhile(budget.fairShare(), 0, maxKeys);
        }
    }

    /** Drops the least recently used keys while over budget and above {@code share}, keeping at least {@code keep}. */
    private void shrinkWhile(long share, int keep) {
        shrinkWhile(share, keep, Integer.MAX_VALUE);
    }

    /**
     * As {@link #shrinkWhile(long, int)}, dropping at most {@code maxKeys} keys. Each key is written
     * out before it leaves memory, so that a query finds it in memory until then and its record
     * below after. Queries take no lock the writes hold: a write reaches Kafka's producer and may
     * wait for it (metadata, a full buffer). Only the stream thread orders {@link #live}, so the
     * key it admitted last stays.
     */
    private void shrinkWhile(long share, int keep, int maxKeys) {
        if (!budget.over()) { // every admit asks: most find room
            return;
        }
        int dropped = 0;
        Iterator<Map.Entry<String, Slot>> it = live.entrySet().iterator();
        while (budget.over() && held > share && live.size() > keep && dropped++ < maxKeys && it.hasNext()) {
            Map.Entry<String, Slot> eldest = it.next();
            Slot slot = eldest.getValue();
            if (slot.dirty) {
                inner.put(eldest.getKey(), codec.encode(slot.state));
            }
            it.remove();
            readable.remove(eldest.getKey(), slot);
            held -= slot.bytes;
            budget.evicted(slot.bytes);
        }
    }

    private void release(long bytes) {
        held -= bytes;
        budget.released(bytes);
    }

    /** What a state takes on the heap, about. */
    static long state(SeriesState s) {
        return s.heapBytes();
    }

    /**
     * Writes every changed state to the store below (which logs it to the changelog). Queries wait
     * for none of it: these writes (about 0.5 ms a key, each reaching Kafka's producer, which may
     * wait) once held a lock every interactive query of the task took.
     */
    private void writeChanged() {
        for (Map.Entry<String, Slot> e : live.entrySet()) {
            Slot entry = e.getValue();
            if (entry.dirty) {
                inner.put(e.getKey(), codec.encode(entry.state));
                entry.dirty = false;
            }
        }
    }

    /** Keys whose changes have not reached the store below yet (for tests and diagnostics; the owning thread, or after it). */
    int changedKeys() {
        int n = 0;
        for (Slot e : readable.values()) {
            n += e.dirty ? 1 : 0;
        }
        return n;
    }

    /** The changelogged store of records below (for tests that write into it as a broken disk would). */
    KeyValueStore<String, byte[]> below() {
        return inner;
    }

    /** Keys held in memory now. */
    int liveKeys() {
        return readable.size();
    }

    /** Bytes this store holds in the budget now. */
    long heldBytes() {
        return held;
    }

    // --- CachedStateStore: called by Kafka Streams before it flushes the producer and commits

    @Override
    public void flushCache() {
        writeChanged();
    }

    @Override
    public void clearCache() {
        live.clear();
        readable.clear();
        budget.released(held);
        held = 0;
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
        budget.storeOpened();
    }

    @Override
    public void flush() {
        writeChanged();
        inner.flush();
    }

    @Override
    public void close() {
        clearCache(); // a clean close committed (and so wrote) every change first; a dirty one must not write
        budget.storeClosed();
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

    /** Interactive queries v2 are not offered: the stored values are records, not states. */
    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    // --- ReadOnlyKeyValueStore: interactive queries, from any thread

    /**
     * A copy of the key's latest state, safe to read while the stream goes on; null for an unknown
     * key, or one whose stored record cannot be read (its next event starts it afresh).
     */
    @Override
    public SeriesState get(String key) {
        Slot slot = readable.get(key);
        SeriesState state = slot == null ? null : slot.state;
        if (state == null) {
            byte[] bytes = inner.get(key);
            if (bytes == null) {
                return null;
            }
            try {
                return codec.decode(bytes);
            } catch (RuntimeException e) {
                LOG.debugf("Stored state of key '%s' is unreadable: %s", key, e.getMessage());
                return null;
            }
        }
        synchronized (state) {
            return codec.copy(state);
        }
    }

    @Override
    public KeyValueIterator<String, SeriesState> range(String from, String to) {
        throw new UnsupportedOperationException("The series store answers single-key queries and whole listings (get, all), not ranges");
    }

    /**
     * Every key's latest state, one copy at a time (for listings): the keys in memory first, copied
     * under their monitor, then those only in the store below; records that cannot be read are
     * left out. Safe while the stream goes on; a key created meanwhile may be missing.
     */
    @Override
    public KeyValueIterator<String, SeriesState> all() {
        java.util.List<String> liveKeys = new java.util.ArrayList<>(readable.keySet());
        java.util.Set<String> seen = new java.util.HashSet<>(liveKeys);
        KeyValueIterator<String, byte[]> below = inner.all();
        return new KeyValueIterator<>() {
            private int next;
            private org.apache.kafka.streams.KeyValue<String, SeriesState> ahead;

            private org.apache.kafka.streams.KeyValue<String, SeriesState> advance() {
                while (ahead == null && next < liveKeys.size()) {
                    String key = liveKeys.get(next++);
                    SeriesState copy = get(key);
                    if (copy != null) {
                        ahead = org.apache.kafka.streams.KeyValue.pair(key, copy);
                    }
                }
                while (ahead == null && below.hasNext()) {
                    var kv = below.next();
                    if (seen.contains(kv.key)) {
                        continue;
                    }
                    try {
                        SeriesState state = codec.decode(kv.value);
                        if (state != null) {
                            ahead = org.apache.kafka.streams.KeyValue.pair(kv.key, state);
                        }
                    } catch (RuntimeException e) {
                        LOG.debugf("Stored state of key '%s' is unreadable: %s", kv.key, e.getMessage());
                    }
                }
                return ahead;
            }

            @Override
            public boolean hasNext() {
                return advance() != null;
            }

            @Override
            public org.apache.kafka.streams.KeyValue<String, SeriesState> next() {
                var kv = advance();
                if (kv == null) {
                    throw new java.util.NoSuchElementException();
                }
                ahead = null;
                return kv;
            }

            @Override
            public String peekNextKey() {
                var kv = advance();
                if (kv == null) {
                    throw new java.util.NoSuchElementException();
                }
                return kv.key;
            }

            @Override
            public void close() {
                below.close();
            }
        };
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    private static final class Builder implements StoreBuilder<SeriesStore> {
        private final StoreBuilder<KeyValueStore<String, byte[]>> inner;
        private final SeriesStateCodec codec;
        private final MemoryBudget budget;

        Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner, SeriesStateCodec codec, MemoryBudget budget) {
            this.inner = inner;
            this.codec = codec;
            this.budget = budget;
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
            return new SeriesStore(inner.build(), codec, budget);
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
