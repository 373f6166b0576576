package io.streamforecaster.stream;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.metrics.ForecasterMetrics.TrainingOutcome;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * key's held-out observations ({@link Selection}), or stamps the current one as defended; then hands the keys that are due to the
 * pool, oldest request first, as long as the pool has free slots. Never waits for training.
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

    /** Keys with enough data for a (re)train, in the order they asked. */
    private final LinkedHashSet<String> candidates = new LinkedHashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Long> retryAfter = new HashMap<>();
    private final Queue<TrainingPool.Result> finished = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** Shared scope: the task's most recently active keys, and observations since its model was last handed out. */
    private final boolean shared;
    private final java.util.LinkedHashMap<String, Boolean> activeKeys;
    private long sharedObservations;
    private long sharedNew;

    TrainingScheduler(StreamSettings settings, SeriesStore series,
                      ModelStore models, TrainingPool pool, ForecasterMetrics metrics) {
        this.settings = settings;
        this.series = series;
        this.models = models;
        this.pool = pool;
        this.metrics = metrics;
        this.shared = settings.scope() == io.streamforecaster.config.ModelScope.SHARED;
        int cap = settings.sharedKeys();
        this.activeKeys = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > cap;
            }
        };
    }

    /** Called for every accepted observation: remembers the key if it has data for a (re)train. */
    void offer(String key, SeriesState state, ModelSnapshot model) {
        if (shared) {
            activeKeys.put(key, Boolean.TRUE);
            sharedObservations++;
            sharedNew++;
            if (!inFlight.contains(Stores.SHARED_MODEL_KEY) && sharedDue(usable(model))) {
                candidates.add(Stores.SHARED_MODEL_KEY);
            }
            return;
        }
        if (!inFlight.contains(key) && hasEnoughData(state, usable(model))) {
            candidates.add(key);
        }
    }

    /** A partition's first shared model after min-observations of its keys, then after min-new-observations. */
    private boolean sharedDue(ModelSnapshot model) {
        return model == null ? sharedObservations >= settings.minObservations() : sharedNew >= settings.minNewObservations();
    }

    private TrainingPool.Job sharedJob(ModelSnapshot model) {
        List<double[][]> histories = new ArrayList<>();
        for (String key : activeKeys.keySet()) {
            SeriesState state = series.live(key);
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
        series.trim(); // an idle task gives memory back when the instance is over budget
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
            if (r.error() != null) {
                LOG.warnf(r.error(), "Training of key '%s' failed; it keeps its previous model", r.key());
                metrics.training(TrainingOutcome.FAILED, r.nanos());
                retryLater(r.key(), now);
            } else if (!r.model().isFinite()) {
                LOG.warnf("Training of key '%s' gave a non-finite model (loss %s); it keeps its previous model",
                        r.key(), r.model().trainingLoss());
                metrics.training(TrainingOutcome.KEPT_PREVIOUS, r.nanos());
                retryLater(r.key(), now);
            } else {
                var outcome = Selection.decide(current(r.key()), r.challenge(), now);
                models.put(r.key(), outcome.model());
                retryAfter.remove(r.key());
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

    private void retryLater(String key, long now) {
        retryAfter.put(key, now + settings.trainingInterval().toMillis());
        candidates.add(key);
    }

    private void handOutDueKeys(long now) {
        Iterator<String> it = candidates.iterator();
        while (it.hasNext()) {
            String key = it.next();
            Long retry = retryAfter.get(key);
            if (retry != null && retry > now) {
                continue;
            }
            ModelSnapshot model = usable(current(key));
            if (model != null && now - model.assessment().checkedAt() < settings.trainingInterval().toMillis()) {
                continue;
            }
            TrainingPool.Job job;
            if (key.equals(Stores.SHARED_MODEL_KEY)) {
                job = sharedDue(model) ? sharedJob(model) : null;
                if (job == null) {
                    it.remove();
                    continue;
                }
            } else {
                SeriesState state = series.live(key);
                if (state == null || !hasEnoughData(state, model)) {
                    it.remove();
                    continue;
                }
                job = new TrainingPool.Job(key, state.history().rows(), model, state.history().observations(), this::finished);
            }
            if (!pool.trySubmit(job)) {
                break; // pool full: this key and those after it keep their place
            }
            it.remove();
            inFlight.add(key);
            if (key.equals(Stores.SHARED_MODEL_KEY)) {
                sharedNew = 0;
            }
        }
    }

    private void finished(TrainingPool.Result result) {
        if (!closed) { // a result for a task that has moved away is dropped
            finished.add(result);
        }
    }

    private boolean hasEnoughData(SeriesState state, ModelSnapshot model) {
        var history = state.history();
        if (model == null) {
            return history.observations() >= settings.minObservations() && history.size() > settings.nSteps();
        }
        return history.observations() - model.assessment().checkedObservations() >= settings.minNewObservations();
    }

    private ModelSnapshot usable(ModelSnapshot model) {
        return model != null && Trainer.compatible(model, settings.training()) ? model : null;
    }

    void close() {
        closed = true;
        finished.clear();
    }
}
