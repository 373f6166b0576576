package io.streamforecaster.stream;

import io.streamforecaster.state.SeriesState;
import java.util.List;
import java.util.function.BiFunction;

/** Every key of a partition, read for a listing ({@link SeriesStore#readEach}). */
public interface StateListing {

    /**
     * What {@code read} takes from each key's latest state, one result per key.
     *
     * @param read must not keep the state or change it
     */
    <T> List<T> readEach(BiFunction<String, SeriesState, T> read);
}
