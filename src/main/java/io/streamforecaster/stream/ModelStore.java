package io.streamforecaster.stream;

import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's models, over its changelogged model store. Decoded models are kept by the series
 * store beside their key's state (in the memory budget); a partition's shared model is kept here.
 * Only this task writes its keys' models, so what is kept is always current. A stored model that
 * cannot be read is reported and treated as none: its key serves naive and is trained afresh.
 */
final class ModelStore {

    private final KeyValueStore<String, byte[]> store;
    private final BiConsumer<String, ModelSnapshot> installed;
    private final BiConsumer<String, RuntimeException> corrupt;
    private ModelSnapshot shared;
    private boolean sharedKnown;
    private volatile long count = -1;

    /**
     * @param installed told of every model written, so that what the series store's slots keep stays current
     * @param corrupt told of a stored model that cannot be read
     */
    ModelStore(KeyValueStore<String, byte[]> store, BiConsumer<String, ModelSnapshot> installed, BiConsumer<String, RuntimeException> corrupt) {
        this.store = store;
        this.installed = installed;
        this.corrupt = corrupt;
    }

    /** The key's stored model, decoded; null for none or an unreadable one. */
    ModelSnapshot read(String key) {
        byte[] bytes = store.get(key);
        if (bytes == null) {
            return null;
        }
        try {
            return ModelFormat.decode(bytes);
        } catch (RuntimeException e) {
            corrupt.accept(key, e);
            return null;
        }
    }

    /** The partition's shared model ({@link Stores#SHARED_MODEL_KEY}), decoded once. */
    ModelSnapshot shared() {
        if (!sharedKnown) {
            shared = read(Stores.SHARED_MODEL_KEY);
            sharedKnown = true;
        }
        return shared;
    }

    void put(String key, ModelSnapshot model) {
        if (count >= 0 && store.get(key) == null) {
            count++;
        }
        store.put(key, ModelFormat.encode(model));
        if (key.equals(Stores.SHARED_MODEL_KEY)) {
            shared = model;
            sharedKnown = true;
        }
        installed.accept(key, model);
    }

    /** Models in this task's store: counted once, then kept up to date. */
    long count() {
        long n = count;
        return n < 0 ? 0 : n;
    }

    void initCount() {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        count = n;
    }
}
