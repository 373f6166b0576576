package io.streamforecaster.stream;

import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.metrics.ForecasterMetrics.TrainingOutcome;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.RetrainPolicy.Reason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * One task's side of training, run as its wall-clock punctuator on the stream thread: takes
 * finished models back and writes them (version + 1) if they beat the current model on the
 * key's held-out observations ({@link Selection}), or stamps the current one as defended; then
 * hands the keys that are due to the pool, by need ({@link RetrainPolicy}: no model yet, then
 * fallback, then drifting, then by age), within this task's fair share of the pool. Never waits
 * for training.
 *
 * <p>Keys are remembered as they get observations, not by scanning the store: after a restart or
 * a rebalance a key is considered again at its next observation, so that a task's first
 * punctuation does not stall its stream thread reading every key's state.
 */
final class TrainingScheduler {

    private static final Logger LOG = Logger.getLogger(TrainingScheduler.class);

    private final StreamSettings settings;
    private final SeriesStore series;
    private final ModelStore models;
    private final TrainingPool pool;
    private final ForecasterMetrics metrics;

    /** Keys with enough data for a (re)train, by why, each in the order it asked. */
    private final Map<Reason, LinkedHashSet<String>> candidates = new EnumMap<>(Reason.class);
    /**
     * Why and from when each candidate is due, as its last observation left it: a key's state and
     * model change only with its observations (which refresh this) and its training (which takes it
     * out of the candidates), so the punctuation reads a key's state only once the key is due. Over
     * the memory budget, reading every waiting key to check it wrote others out and held the stream
     * thread (BENCHMARKS.md §3).
     */
    private final Map<String, Waiting> waiting = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Long> retryAfter = new HashMap<>();
    private final Map<String, Reason> requested = new HashMap<>();
    private final Set<String> drifting = new HashSet<>();
    /**
     * Keys seen since the last punctuation, with when the model they were served with was trained
     * ({@link #NO_MODEL} for none): its age goes into the histogram once per punctuation. Kept from
     * the record, so that the punctuation reads no state: reading them back would reload keys the
     * memory budget had written out (at 100,000 keys that held a punctuation for 2.5 s). Only the
     * time: the model itself (about 8 kB) would stay on the heap, outside the budget, for a key the
     * budget had written out.
     */
    private final Map<String, Long> seen = new HashMap<>();
    private static final long NO_MODEL = Long.MIN_VALUE;
    private final Queue<TrainingPool.Result> finished = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile long dueKeys;
    private volatile long oldestFirstModelWait;
    /**
     * Due keys the last punctuation counted but could not hand out (the pool full), in its order, at
     * most {@link #NEXT_LIMIT}: what a refill hands out between punctuations, without scanning the
     * candidates again (behind keys not yet due, as a retrain's may be, that scan can be long).
     */
    private final java.util.ArrayDeque<Next> next = new java.util.ArrayDeque<>();
    static final int NEXT_LIMIT = 1024;
    /** When each first-model key handed out (or retrying) first asked: a failed training does not reset its wait. */
    private final Map<String, Long> firstAskedAt = new HashMap<>();

    private record Next(String key, Reason reason) {
    }

    /** What handing out one due key came to. */
    private enum Outcome { HANDED, NOT_DUE, GONE, FULL }

    /** Shared scope: the task's most recently active keys, and observations since its model was last handed out. */
    private final boolean shared;
    private final LinkedHashMap<String, Boolean> activeKeys;
    private long sharedObservations;
    private long sharedNew;

    TrainingScheduler(StreamSettings settings, SeriesStore series, ModelStore models, TrainingPool pool, ForecasterMetrics metrics) {
        this.settings = settings;
        this.series = series;
        this.models = models;
        this.pool = pool;
        this.metrics = metrics;
        this.shared = settings.scope() == ModelScope.SHARED;
        for (Reason r : Reason.values()) {
            candidates.put(r, new LinkedHashSet<>());
        }
        int cap = settings.sharedKeys();
        this.activeKeys = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > cap;
            }
        };
        pool.register(this);
    }

    /**
     * Called for every accepted observation: remembers the key if it has data for a (re)train, under why.
     *
     * @param now the stream's wall clock (epoch milliseconds), the punctuations' clock
     */
    void offer(String key, SeriesState state, ModelSnapshot model, long now) {
        long trainedAt = model == null ? NO_MODEL : model.trainedAt(); // in shared scope the partition's model, which serves the key
        Long before = seen.get(key);
        if (before == null || before != trainedAt) { // once per key and punctuation: no boxing per event
            seen.put(key, trainedAt);
        }
        if (shared) {
            activeKeys.put(key, Boolean.TRUE);
            sharedObservations++;
            sharedNew++;
            if (!inFlight.contains(Stores.SHARED_MODEL_KEY)) {
                ModelSnapshot usable = usable(model);
                if (sharedDue(usable)) {
                    place(Stores.SHARED_MODEL_KEY, usable == null ? Reason.FIRST_MODEL : Reason.AGE, 0, now);
                }
            }
            return;
        }
        if (state.drift().drifting()) {
            drifting.add(key);
        } else if (!drifting.isEmpty()) {
            drifting.remove(key);
        }
        if (!inFlight.contains(key)) {
            RetrainPolicy.Due due = RetrainPolicy.of(settings, state, usable(model));
            if (due.enoughData()) {
                place(key, due.reason(), due.dueAt(), now);
            }
        }
    }

    /**
     * Why a candidate is waiting, from when (epoch milliseconds) it may be trained, and since when it
     * has waited for that reason.
     */
    private record Waiting(Reason reason, long dueAt, long since) {
    }

    /** Puts the key among the candidates of {@code reason}, out of those of any other, due from {@code dueAt}. */
    private void place(String key, Reason reason, long dueAt, long now) {
        Waiting before = waiting.get(key);
        if (before != null && before.reason() == reason && before.dueAt() == dueAt) {
            return; // the common case, once per event: nothing changed, nothing allocated
        }
        put(key, reason, dueAt, before, before != null && before.reason() == reason ? before.since() : now);
    }

    /** As {@link #place}, the key waiting since {@code since} for {@code reason}; {@code before}: its entry now, or null. */
    private void put(String key, Reason reason, long dueAt, Waiting before, long since) {
        waiting.put(key, new Waiting(reason, dueAt, since));
        if (before == null || before.reason() != reason) {
            if (before != null) {
                candidates.get(before.reason()).remove(key);
            }
            candidates.get(reason).add(key);
        }
    }

    /** A partition's first shared model after min-observations of its keys, then after min-new-observations. */
    private boolean sharedDue(ModelSnapshot model) {
        return model == null ? sharedObservations >= settings.minObservations() : sharedNew >= settings.minNewObservations();
    }

    private TrainingPool.Job sharedJob(ModelSnapshot model) {
        List<double[][]> histories = new ArrayList<>();
        for (String key : activeKeys.keySet()) {
            // the keys in memory alone: reading those written out would write as many others out on
            // the stream thread, up to shared-keys (100,000) of them in one punctuation
            SeriesState state = series.inMemory(key);
            if (state != null && state.history().size() > settings.nSteps() + 1) {
                histories.add(state.history().rows());
            }
        }
        return histories.isEmpty() ? null
                : TrainingPool.Job.shared(Stores.SHARED_MODEL_KEY, histories, model, sharedObservations, this::finished);
    }

    void punctuate(long now) {
        long start = System.nanoTime();
        takeFinishedModels(now);
        handOutDueKeys(now);
        recordModelAges(now);
        series.trim(); // an idle task gives memory back when the instance is over budget
        metrics.releaseIdleSeries(); // drill-down slots of keys that stopped go to new keys
        metrics.handoff(System.nanoTime() - start);
    }

    /** Whether keys the last punctuation found due wait for room in the pool: what {@link #refill} is for. */
    boolean keysWaitForRoom() {
        return !closed && !next.isEmpty();
    }

    /**
     * Between two punctuations, while keys wait their turn: hands out more as soon as the pool has
     * room again, instead of leaving the training threads idle until the next punctuation (a first
     * model can take a fraction of the check interval). Does nothing while no key waits or the pool is full.
     */
    void refill(long now) {
        if (next.isEmpty() || !pool.hasRoom(this)) {
            return;
        }
        long start = System.nanoTime();
        takeFinishedModels(now);
        long handed = 0;
        while (!next.isEmpty() && pool.hasRoom(this)) {
            Next n = next.poll();
            if (!candidates.get(n.reason()).contains(n.key()) || !dueNow(n.key(), now)) {
                continue; // handed out, moved to another reason or no longer due since the punctuation
            }
            Outcome o = handOut(n.key(), n.reason(), null, now);
            if (o == Outcome.FULL) {
                next.addFirst(n);
                break;
            }
            if (o != Outcome.NOT_DUE) {
                candidates.get(n.reason()).remove(n.key());
            }
            if (o == Outcome.HANDED) {
                handed++;
            }
        }
        dueKeys = Math.max(0, dueKeys - handed); // those the punctuation counted; the next one counts afresh
        afterHandOut(now);
        metrics.handoff(System.nanoTime() - start);
    }

    /** The key's current model: the partition's shared one, or the key's own. */
    private ModelSnapshot current(String key) {
        if (key.equals(Stores.SHARED_MODEL_KEY)) {
            return models.shared();
        }
        SeriesStore.Slot slot = series.slot(key);
        return slot == null ? models.read(key) : series.model(key, slot);
    }

    private void takeFinishedModels(long now) {
        TrainingPool.Result r;
        while ((r = finished.poll()) != null) {
            inFlight.remove(r.key());
            Reason reason = requested.remove(r.key());
            if (r.error() instanceof java.util.concurrent.CancellationException && pool.isClosed()) {
                // the training pool is closing as the service stops: not a failed training, nor worth a warning
                LOG.debugf("Training of key '%s' was stopped: %s", r.key(), r.error().getMessage());
                retryLater(r.key(), reason, now);
            } else if (r.error() != null) {
                LOG.warnf(r.error(), "Training of key '%s' failed; it keeps its previous model", r.key());
                metrics.training(TrainingOutcome.FAILED, r.nanos());
                retryLater(r.key(), reason, now);
            } else if (!r.model().isFinite()) {
                LOG.warnf("Training of key '%s' gave a non-finite model (loss %s); it keeps its previous model",
                        r.key(), r.model().trainingLoss());
                metrics.training(TrainingOutcome.KEPT_PREVIOUS, r.nanos());
                retryLater(r.key(), reason, now);
            } else {
                var outcome = Selection.decide(current(r.key()), r.challenge(), now);
                models.put(r.key(), outcome.model());
                retryAfter.remove(r.key());
                firstAskedAt.remove(r.key()); // it has a model: no longer waiting for its first
                var e = r.challenge().evaluation();
                if (outcome.decision() == Selection.Decision.PROMOTED) {
                    metrics.training(TrainingOutcome.SUCCESS, r.nanos());
                    LOG.debugf("Key '%s' now has model version %d (loss %.4g, held-out MAE %.4g, previous %.4g, naive %.4g)",
                            r.key(), outcome.model().version(), r.model().trainingLoss(), e.challengerMae(), e.championMae(), e.naiveMae());
                } else {
                    metrics.training(TrainingOutcome.KEPT_PREVIOUS, r.nanos());
                    LOG.debugf("Key '%s' keeps model version %d: held-out MAE %.4g against the retrained model's %.4g",
                            r.key(), outcome.model().version(), e.championMae(), e.challengerMae());
                }
                metrics.challenge(outcome.decision());
            }
        }
    }

    private void retryLater(String key, Reason reason, long now) {
        long at = now + settings.trainingInterval().toMillis();
        retryAfter.put(key, at);
        Reason why = reason == null ? Reason.AGE : reason;
        Waiting before = waiting.get(key);
        long since = before != null && before.reason() == why ? before.since() : now;
        put(key, why, at, before, why == Reason.FIRST_MODEL ? firstAskedAt.getOrDefault(key, since) : since);
    }

    /**
     * Hands out due keys, most urgent reason first, while this task has a share of the pool; counts
     * the keys due, and keeps the first of those it could not hand out for the refills until the next punctuation.
     */
    private void handOutDueKeys(long now) {
        long due = 0;
        boolean full = false;
        next.clear();
        for (Reason reason : Reason.values()) {
            Iterator<String> it = candidates.get(reason).iterator();
            while (it.hasNext()) {
                String key = it.next();
                if (!dueNow(key, now)) {
                    continue; // decided without reading the key's state
                }
                boolean sharedKey = key.equals(Stores.SHARED_MODEL_KEY);
                ModelSnapshot sharedModel = null;
                if (sharedKey) {
                    sharedModel = usable(current(key));
                    if (now < RetrainPolicy.ofShared(settings, sharedModel).dueAt()) { // the rule GET /series/{key}/model shows
                        continue;
                    }
                    if (!sharedDue(sharedModel)) {
                        it.remove();
                        waiting.remove(key);
                        continue;
                    }
                }
                Outcome o = full || !pool.hasRoom(this) ? Outcome.FULL : handOut(key, reason, sharedModel, now);
                switch (o) {
                    case FULL -> { // this key and those after it keep their place: counted as due, their state not read
                        full = true;
                        due++;
                        if (!sharedKey && next.size() < NEXT_LIMIT) {
                            next.add(new Next(key, reason));
                        }
                    }
                    case HANDED, GONE -> it.remove();
                    case NOT_DUE -> { } // a safeguard: its next observation places it again
                }
            }
        }
        dueKeys = due;
        afterHandOut(now);
    }

    /** Whether a candidate may be trained now, decided without reading its state. */
    private boolean dueNow(String key, long now) {
        Long retry = retryAfter.get(key);
        Waiting w = waiting.get(key);
        return w != null && w.dueAt() <= now && (retry == null || retry <= now);
    }

    /**
     * Reads the due key's state and hands its job to the pool. The caller takes the key out of its
     * reason's candidates when it is {@code HANDED} or {@code GONE}.
     */
    private Outcome handOut(String key, Reason reason, ModelSnapshot sharedModel, long now) {
        Prepared p = prepare(key, reason, sharedModel, now);
        if (p.job() == null) {
            if (p.gone()) {
                waiting.remove(key);
                firstAskedAt.remove(key);
                return Outcome.GONE;
            }
            return Outcome.NOT_DUE;
        }
        if (!pool.trySubmit(p.job(), this)) {
            return Outcome.FULL;
        }
        Waiting w = waiting.remove(key);
        if (reason == Reason.FIRST_MODEL && w != null) {
            firstAskedAt.putIfAbsent(key, w.since());
        }
        inFlight.add(key);
        requested.put(key, p.why());
        metrics.trainingRequested(p.why().id());
        if (key.equals(Stores.SHARED_MODEL_KEY)) {
            sharedNew = 0;
        }
        return Outcome.HANDED;
    }

    /** The gauges a hand-out moves, and whether this task waits for the pool. */
    private void afterHandOut(long now) {
        // the first-model candidates are in the order they asked, but for those retried after a failed
        // training, which go to the back with their first ask: the oldest is the first in line or one of them
        LinkedHashSet<String> first = candidates.get(Reason.FIRST_MODEL);
        long oldest = first.isEmpty() ? now : waiting.get(first.iterator().next()).since();
        for (Map.Entry<String, Long> asked : firstAskedAt.entrySet()) { // the keys handed out at least once: few
            if (first.contains(asked.getKey())) {
                oldest = Math.min(oldest, asked.getValue());
            }
        }
        oldestFirstModelWait = Math.max(0, now - oldest);
        pool.waiting(this, dueKeys > 0);
    }

    /**
     * A due candidate's job, from its state read now; or none: when it is not due after all, or
     * {@code gone}, when it no longer has the data for one.
     */
    private record Prepared(TrainingPool.Job job, Reason why, boolean gone) {
        static final Prepared NOT_DUE = new Prepared(null, null, false);
        static final Prepared GONE = new Prepared(null, null, true);
    }

    private Prepared prepare(String key, Reason reason, ModelSnapshot sharedModel, long now) {
        if (key.equals(Stores.SHARED_MODEL_KEY)) {
            TrainingPool.Job job = sharedJob(sharedModel);
            return job == null ? Prepared.GONE : new Prepared(job, reason, false);
        }
        SeriesState state = series.live(key);
        ModelSnapshot model = usable(current(key));
        RetrainPolicy.Due d = state == null ? null : RetrainPolicy.of(settings, state, model);
        if (d == null || !d.enoughData()) {
            return Prepared.GONE;
        }
        if (!d.isDue(now)) { // a safeguard: each observation refreshes the time it waits for
            return Prepared.NOT_DUE;
        }
        return new Prepared(new TrainingPool.Job(key, state.history().rows(), model, state.history().observations(), this::finished),
                d.reason(), false);
    }

    /** The age of the model of every key seen since the last punctuation, once each. */
    private void recordModelAges(long now) {
        if (seen.isEmpty()) {
            return;
        }
        for (long trainedAt : seen.values()) {
            if (trainedAt != NO_MODEL) {
                metrics.modelAge(Math.max(0, now - trainedAt));
            }
        }
        seen.clear();
    }

    private void finished(TrainingPool.Result result) {
        if (!closed) { // a result for a task that has moved away is dropped
            finished.add(result);
        }
    }

    private ModelSnapshot usable(ModelSnapshot model) {
        return model != null && Trainer.compatible(model, settings.training()) ? model : null;
    }

    /** Keys with the data for a first model, waiting for it. */
    long awaitingFirstModel() {
        return candidates.get(Reason.FIRST_MODEL).size();
    }

    /** How long (ms) the key that has waited longest for a first model had waited at the last hand-out; 0 for none. */
    long oldestFirstModelWaitMillis() {
        return oldestFirstModelWait;
    }

    /** Keys due for training at the last punctuation and not handed out yet. */
    long due() {
        return dueKeys;
    }

    /** Keys whose model drifted since its last check. */
    long drifting() {
        return drifting.size();
    }

    void close() {
        closed = true;
        finished.clear();
        pool.unregister(this);
    }
}
