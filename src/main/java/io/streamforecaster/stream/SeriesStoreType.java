package io.streamforecaster.stream;

import java.util.List;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * The series store of one partition as itself, for listings ({@link SeriesStore#readEach}), where
 * Kafka Streams' key-value type would give a read-only view whose {@code all()} copies every state.
 * Ask for it with a partition: {@code StoreQueryParameters.fromNameAndType(Stores.SERIES, SeriesStoreType.INSTANCE).withPartition(p)}.
 */
public final class SeriesStoreType implements QueryableStoreType<SeriesStore> {

    public static final SeriesStoreType INSTANCE = new SeriesStoreType();

    private SeriesStoreType() {
    }

    @Override
    public boolean accepts(StateStore stateStore) {
        return stateStore instanceof SeriesStore;
    }

    @Override
    public SeriesStore create(StateStoreProvider storeProvider, String storeName) {
        List<SeriesStore> stores = storeProvider.stores(storeName, this);
        if (stores.size() != 1) { // a partition is one task's: none while it is elsewhere or restoring
            throw new InvalidStateStoreException("Expected one store " + storeName + " for the partition asked, found " + stores.size());
        }
        return stores.get(0);
    }
}
