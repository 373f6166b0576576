package io.streamforecaster.state;

/** Turns a key's state into its record and back, in the configured shape. */
public record SeriesStateCodec(int nFeatures, int capacity, int residualCapacity, int servedPoints) {

    public SeriesStateCodec(int nFeatures, int capacity, int residualCapacity) {
        this(nFeatures, capacity, residualCapacity, SeriesState.DEFAULT_SERVED);
    }

    public byte[] encode(SeriesState state) {
        return state.toBytes();
    }

    /**
     * @return the state, or null when the record cannot be carried over to this shape (another n-features)
     * @throws IllegalArgumentException when the record is corrupt
     */
    public SeriesState decode(byte[] bytes) {
        return SeriesState.fromBytes(bytes, nFeatures, capacity, residualCapacity, servedPoints);
    }

    /** A deep copy, for readers on other threads. */
    public SeriesState copy(SeriesState state) {
        return decode(encode(state));
    }

    /** A new, empty state of this shape. */
    public SeriesState empty() {
        return new SeriesState(nFeatures, capacity, residualCapacity, servedPoints);
    }
}
