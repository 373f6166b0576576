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
    private volatile boolean closed;
    /** Each owner (a stream task): its jobs waiting or running, and whether it has keys it could not hand out. */
    private final java.util.Map<Object, Owner> owners = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Owner {
        final AtomicInteger jobs = new AtomicInteger();
        volatile boolean waiting;
        /** Unregistered (its task closed): its jobs not started yet are dropped, their results would be. */
        volatile boolean gone;

        boolean active() {
            return waiting || jobs.get() > 0;
        }
    }

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

    /** How much lower than the stream threads the training threads run by default (Linux's nice; 0: the same). */
    public static final int DEFAULT_NICE = 5;

    /** The service's pool, its threads at {@link #DEFAULT_NICE}. */
    public static TrainingPool create(TrainingSettings settings, int threads, int queueCapacity) {
        return create(settings, threads, queueCapacity, DEFAULT_NICE);
    }

    /**
     * The service's pool: {@code threads} daemon threads running {@link Trainer#train} through
     * {@link Selection#challenge}, each lowering its scheduling priority to {@code nice} as it starts
     * ({@link Nice}): on cores shared with the stream threads, training takes what the stream leaves.
     */
    public static TrainingPool create(TrainingSettings settings, int threads, int queueCapacity, int nice) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("Invalid forecaster.training.threads = " + threads + ": must be 1 to 256");
        }
        if (queueCapacity < 0 || queueCapacity > 100_000) {
            throw new IllegalArgumentException("Invalid forecaster.training.queue-capacity = " + queueCapacity + ": must be 0 to 100000");
        }
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("Invalid forecaster.training.nice = " + nice + ": must be 0 to 19");
        }
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(() -> {
                lowerPriority(nice, told);
                r.run();
            }, "forecaster-trainer-" + n.incrementAndGet());
            t.setDaemon(true);
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

    /** Lowers the calling training thread's priority to {@code nice} (0: leaves it); says how it went once for the pool. */
    private static void lowerPriority(int nice, java.util.concurrent.atomic.AtomicBoolean told) {
        if (nice == 0) {
            return;
        }
        Nice.Outcome o = Nice.lowerCurrentThread(nice);
        if (told.compareAndSet(false, true)) { // every thread of the pool fares alike
            if (o.lowered()) {
                LOG.infof("Training threads run at nice %d (forecaster.training.nice), below the stream threads", nice);
            } else {
                LOG.warnf("Training threads could not lower their priority to nice %d: %s", nice, o.detail());
            }
        }
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** Takes the job if a slot is free and the pool is open; never blocks. */
    public boolean trySubmit(Job job) {
        return trySubmit(job, null);
    }

    /** An owner (a stream task) that submits jobs: it gets a fair share of the pool while registered. */
    public void register(Object owner) {
        owners.putIfAbsent(owner, new Owner());
    }

    /**
     * Whether {@code owner} has due keys it could not hand out: while it has, or has jobs in the
     * pool, it counts among those the pool is shared by; an owner with nothing to train takes no one's share.
     */
    public void waiting(Object owner, boolean waiting) {
        Owner o = owners.get(owner);
        if (o != null) {
            o.waiting = waiting;
        }
    }

    /**
     * The owner is gone (its task closed, or moved to another instance): its jobs that have not
     * started are dropped without training, since their results would be, and their slots go to
     * the other owners at once (they trained, one after the other, while the new owner's keys waited).
     */
    public void unregister(Object owner) {
        Owner o = owners.remove(owner);
        if (o != null) {
            o.gone = true;
        }
    }

    /**
     * The jobs {@code owner} may have waiting or running at once: an equal share of the pool's
     * slots among the owners that want them (those waiting with due keys or with jobs in the pool,
     * and this one), at least one, so that the keys of every task get their turn however many one
     * task has due; a task alone with due keys may use the whole pool.
     */
    public int share(Object owner) {
        int active = 1;
        for (var e : owners.entrySet()) {
            if (e.getKey() != owner && e.getValue().active()) {
                active++;
            }
        }
        return Math.max(1, (capacity + active - 1) / active);
    }

    /**
     * Whether {@link #trySubmit(Job, Object)} would take a job of {@code owner} now (it may not by
     * the time it is called): lets an owner skip building a job, which may mean reading its data.
     */
    public boolean hasRoom(Object owner) {
        Owner mine = owner == null ? null : owners.get(owner);
        return !closed && (mine == null || mine.jobs.get() < share(owner)) && slots.availablePermits() > 0;
    }

    /**
     * Takes the job if a slot is free, the pool is open and {@code owner} (registered, or null for
     * none) is within its {@link #share}; never blocks.
     */
    public boolean trySubmit(Job job, Object owner) {
        Owner o = owner == null ? null : owners.get(owner);
        AtomicInteger mine = o == null ? null : o.jobs;
        if (closed || (mine != null && mine.get() >= share(owner)) || !slots.tryAcquire()) {
            return false;
        }
        if (mine != null) {
            mine.incrementAndGet();
        }
        try {
            executor.execute(() -> run(job, o));
        } catch (RuntimeException e) {
            slots.release();
            if (mine != null) {
                mine.decrementAndGet();
            }
            throw e;
        }
        return true;
    }

    private void run(Job job, Owner o) {
        AtomicInteger owner = o == null ? null : o.jobs;
        if (o != null && o.gone) { // its task closed while the job waited: nobody would take the model
            slots.release();
            owner.decrementAndGet();
            return;
        }
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
            if (owner != null) {
                owner.decrementAndGet();
            }
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

    /** Whether {@link #close} was called: no job is taken any more. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
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
