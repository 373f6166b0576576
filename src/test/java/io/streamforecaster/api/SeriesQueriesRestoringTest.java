package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.ingest.InputSettings;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.serving.ServingSettings;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.Stores;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * One partition of an instance restoring (after a restart or a move, which takes seconds to
 * minutes) must not make the instance's every other key unanswerable: the partition is passed
 * over, and only keys that may be in it wait for it.
 */
class SeriesQueriesRestoringTest {

    static final TrainingSettings T = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);

    /** An instance with partitions 0 (restoring) and 1, which holds {@code key}. */
    static SeriesQueries withRestoringPartition(String key) {
        Map<String, Object> partition1 = Map.of(key, new SeriesState(1, 16));
        SeriesQueries q = new SeriesQueries() {
            @Override
            public String unavailability() {
                return null; // running
            }

            @Override
            TreeSet<Integer> localPartitions() {
                return new TreeSet<>(Set.of(0, 1));
            }

            @Override
            ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
                if (partition == 0) {
                    throw new InvalidStateStoreException("the state store, " + name + ", may have migrated to another instance");
                }
                return OverviewPartialTest.storeOf(name.equals(Stores.SERIES) ? partition1 : Map.of());
            }
        };
        q.settings = new StreamSettings("in", "out", "dlq", 64, ColdStart.NAIVE, 8, 4, Duration.ofMinutes(1), Duration.ofSeconds(1),
                50, InputSettings.defaults(), T, ServingSettings.defaults(), ModelScope.PER_KEY, 256);
        return q;
    }

    @Test
    void shouldFindAKeyInAReadablePartitionWhileAnotherPartitionOfTheInstanceRestores() {
        SeriesQueries.Location found = withRestoringPartition("host-1.cpu").locateHere("host-1.cpu");

        assertInstanceOf(SeriesQueries.Local.class, found, "partition 1 is readable and holds the key: " + found);
    }

    @Test
    void shouldLeaveTheRestoringPartitionOutOfWhatWasSearched() {
        SeriesQueries q = withRestoringPartition("host-1.cpu");

        var elsewhere = assertInstanceOf(SeriesQueries.Elsewhere.class, q.locateHere("not-here"), "searched elsewhere, not refused outright");
        assertEquals(Set.of(1), elsewhere.searchedHere(), "partition 0 may hold the key: not finding it there is no answer");
    }
}
