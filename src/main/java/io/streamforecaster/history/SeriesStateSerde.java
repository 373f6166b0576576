package io.streamforecaster.history;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Store serde for {@link SeriesState}, reading old records into the configured shape. */
public final class SeriesStateSerde implements Serde<SeriesState> {

    private final int nFeatures;
    private final int capacity;
    private final int residualCapacity;

    public SeriesStateSerde(int nFeatures, int capacity, int residualCapacity) {
        this.nFeatures = nFeatures;
        this.capacity = capacity;
        this.residualCapacity = residualCapacity;
    }

    @Override
    public Serializer<SeriesState> serializer() {
        return (topic, state) -> state == null ? null : state.toBytes();
    }

    @Override
    public Deserializer<SeriesState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : SeriesState.fromBytes(bytes, nFeatures, capacity, residualCapacity);
    }
}
