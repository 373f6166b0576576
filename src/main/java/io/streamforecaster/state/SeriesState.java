package io.streamforecaster.state;

/**
 * Everything the stream keeps for one key, in one store entry: parts with one concern each
 * ({@link History}, {@link Accuracy}, {@link Judgement}, {@link IntervalErrors},
 * {@link HorizonErrors}, {@link LatestForecast}, {@link Drift}, {@link ServedForecasts}), each with its own encoding inside the versioned
 * record ({@link SeriesStateFormat}). A new kind of per-key state is a new part.
 *
 * <p>Mutable, owned by the stream thread of the key's task.
 */
public final class SeriesState {

    /** Recent one-step errors kept for prediction intervals unless told otherwise. */
    public static final int DEFAULT_RESIDUALS = 100;
    /** Served forecasts kept with their actuals unless told otherwise. */
    public static final int DEFAULT_SERVED = 128;

    private final History history;
    private final Accuracy accuracy;
    private final Judgement judgement;
    private final IntervalErrors interval;
    private final HorizonErrors horizon;
    private final LatestForecast latest;
    private final Drift drift;
    private final ServedForecasts served;

    public SeriesState(int nFeatures, int capacity) {
        this(nFeatures, capacity, DEFAULT_RESIDUALS);
    }

    public SeriesState(int nFeatures, int capacity, int residualCapacity) {
        this(nFeatures, capacity, residualCapacity, DEFAULT_SERVED);
    }

    public SeriesState(int nFeatures, int capacity, int residualCapacity, int servedPoints) {
        this(new History(nFeatures, capacity), new Accuracy(), new Judgement(), new IntervalErrors(residualCapacity),
                new HorizonErrors(), new LatestForecast(), new Drift(), new ServedForecasts(servedPoints));
    }

    SeriesState(History history, Accuracy accuracy, Judgement judgement, IntervalErrors interval, HorizonErrors horizon,
                LatestForecast latest) {
        this(history, accuracy, judgement, interval, horizon, latest, new Drift(), new ServedForecasts(DEFAULT_SERVED));
    }

    SeriesState(History history, Accuracy accuracy, Judgement judgement, IntervalErrors interval, HorizonErrors horizon,
                LatestForecast latest, Drift drift, ServedForecasts served) {
        this.history = history;
        this.accuracy = accuracy;
        this.judgement = judgement;
        this.interval = interval;
        this.horizon = horizon;
        this.latest = latest;
        this.drift = drift;
        this.served = served;
    }

    /** The key's last observations. */
    public History history() {
        return history;
    }

    /** How its served forecasts did, next to naive. */
    public Accuracy accuracy() {
        return accuracy;
    }

    /** How its current model does, next to naive and damped: what it serves. */
    public Judgement judgement() {
        return judgement;
    }

    /** The errors its prediction interval is built from. */
    public IntervalErrors interval() {
        return interval;
    }

    /** Each horizon step's errors. */
    public HorizonErrors horizon() {
        return horizon;
    }

    /** The forecast it served last. */
    public LatestForecast latest() {
        return latest;
    }

    /**
     * About what this state takes on the heap (arrays by their length, each object with its
     * header), for the instance's memory budget.
     */
    public long heapBytes() {
        long h = horizon.steps();
        return 8 * 16 + 12 * 48 + 64 // part objects and array headers
                + (long) ServedForecasts.POINT_BYTES * served.capacity()
                + 8L * history.capacity() * history.nFeatures()
                + 8L * interval.capacity() // the errors and, once built, their sorted copy
                + 8 * (h * h + 3 * h)
                + 8L * (history.nFeatures() + 2 * h);
    }

    /** Whether its model drifted since its last check. */
    public Drift drift() {
        return drift;
    }

    /** What it served against what happened, recently. */
    public ServedForecasts served() {
        return served;
    }

    /** The parts in the order they are written. */
    StatePart[] parts() {
        return new StatePart[] {history, accuracy, judgement, interval, horizon, latest, drift, served};
    }

    public byte[] toBytes() {
        return SeriesStateFormat.write(this);
    }

    /** The largest record a key's state can be with these settings. */
    public static long maxEncodedBytes(int nFeatures, int historySize, int residualCapacity, int horizon) {
        return maxEncodedBytes(nFeatures, historySize, residualCapacity, horizon, DEFAULT_SERVED);
    }

    public static long maxEncodedBytes(int nFeatures, int historySize, int residualCapacity, int horizon, int servedPoints) {
        return SeriesStateFormat.maxBytes(nFeatures, historySize, residualCapacity, horizon, servedPoints);
    }

    /**
     * Reads a stored state (this format or an older one) into one of the given shape: a different
     * history size keeps the newest rows that fit; a different feature count cannot be carried
     * over and gives null.
     *
     * @throws IllegalArgumentException for a record that is corrupt or not a state
     */
    public static SeriesState fromBytes(byte[] bytes, int nFeatures, int capacity, int residualCapacity) {
        return fromBytes(bytes, nFeatures, capacity, residualCapacity, DEFAULT_SERVED);
    }

    public static SeriesState fromBytes(byte[] bytes, int nFeatures, int capacity, int residualCapacity, int servedPoints) {
        return SeriesStateFormat.read(bytes, nFeatures, capacity, residualCapacity, servedPoints);
    }

    public static SeriesState fromBytes(byte[] bytes, int nFeatures, int capacity) {
        return fromBytes(bytes, nFeatures, capacity, DEFAULT_RESIDUALS);
    }
}
