package io.streamforecaster.model;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The bounded pool where models are trained, away from the stream threads. A job is only taken
 * when a slot is free ({@code threads + queueCapacity} in all), so the queue never grows without
 * bound: keys that do not get a slot wait their turn in their task.
 */
public final class TrainingPool implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainingPool.class);

    /** What trains one model: {@link Trainer#train} in the service, something else in tests. */
    @FunctionalInterface
    public interface TrainFunction {
        ModelSnapshot train(TrainingSettings settings, double[][] history, ModelSnapshot previous, long observations, long now);
    }

    /**
     * A key's history snapshot, handed over by the task that owns the key; for a shared model
     * ({@code histories} not null), the snapshots of the task's keys.
     */
    public record Job(String key, double[][] history, List<double[][]> histories, ModelSnapshot previous, long observations,
                      Consumer<Result> onDone) {

        public Job(String key, double[][] history, ModelSnapshot previous, long observations, Consumer<Result> onDone) {
            this(key, history, null, previous, observations, onDone);
        }

        /** A shared model's job: trained on the windows of all {@code histories}. */
        public static Job shared(String key, List<double[][]> histories, ModelSnapshot previous, long observations,
                                 Consumer<Result> onDone) {
            return new Job(key, null, List.copyOf(histories), previous, observations, onDone);
        }
    }

    /** A finished job: the challenger and its evaluation on success, {@code error} otherwise. */
    public record Result(String key, Selection.Challenge challenge, Throwable error, long nanos) {

        public ModelSnapshot model() {
            return challenge == null ? null : challenge.challenger();
        }
    }

    private final TrainingSettings settings;
    private final Executor executor;
    private final ExecutorService owned;
    private final Semaphore slots;
    private final int capacity;
    private final TrainFunction trainer;
    private final Selection.SharedTrainFunction sharedTrainer;
    private final LongSupplier clock;

    public TrainingPool(TrainingSettings settings, Executor executor, int capacity, TrainFunction trainer, LongSupplier clock) {
        this(settings, executor, capacity, trainer, Trainer::trainShared, clock);
    }

    public TrainingPool(TrainingSettings settings, Executor executor, int capacity, TrainFunction trainer,
                        Selection.SharedTrainFunction sharedTrainer, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Invalid training capacity = " + capacity);
        }
        this.settings = settings;
        this.executor = executor;
        this.owned = executor instanceof ExecutorService es ? es : null;
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
        this.trainer = trainer;
        this.sharedTrainer = sharedTrainer;
        this.clock = clock;
    }

    /** The service's pool: {@code threads} daemon threads running {@link Trainer#train} through {@link Selection#challenge}. */
    public static TrainingPool create(TrainingSettings settings, int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("Invalid training threads = " + threads + " or queue capacity = " + queueCapacity);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "forecaster-trainer-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        // the initial weights (and with them ND4J's native libraries) are loaded before the first key
        // needs them, so that the first model does not wait seconds for it
        pool.execute(() -> {
            try {
                Trainer.prepare(settings);
            } catch (RuntimeException | LinkageError e) { // the first training will fail the same way, and be counted
                LOG.warnf(e, "Preparing the training engine failed; training will try again");
            }
        });
        return new TrainingPool(settings, pool, threads + queueCapacity, Trainer::train, System::currentTimeMillis);
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** Takes the job if a slot is free; never blocks. */
    public boolean trySubmit(Job job) {
        if (!slots.tryAcquire()) {
            return false;
        }
        try {
            executor.execute(() -> run(job));
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
        return true;
    }

    private void run(Job job) {
        long start = System.nanoTime();
        Result result;
        try {
            var challenge = job.histories() != null
                    ? Selection.challengeShared(sharedTrainer, settings, job.histories(), job.previous(), job.observations(), clock.getAsLong())
                    : Selection.challenge(trainer, settings, job.history(), job.previous(), job.observations(), clock.getAsLong());
            result = new Result(job.key(), challenge, null, System.nanoTime() - start);
        } catch (Throwable t) { // a failed training must reach its task, whatever it was
            result = new Result(job.key(), null, t, System.nanoTime() - start);
        } finally {
            slots.release();
        }
        job.onDone().accept(result);
    }

    /** Jobs waiting or running. */
    public long pending() {
        return capacity - slots.availablePermits();
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow();
            try {
                owned.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
