package io.streamforecaster.stream;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.state.SeriesState;
import java.time.Duration;
import java.util.Locale;

/**
 * Why and when a key is due for training, from its state and model alone (the scheduler, the
 * backtest and the key's REST answer use the same rule). Keys are served in the order of
 * {@link Reason}: no model yet, then a model set aside for naive (fallback), then a drifting
 * model, then by age. A drifting model is due as soon as it has {@code min-new-observations}
 * since its last check (the drift test restarts at each check, so this costs at most one
 * training per drift); a model in fallback waits {@code training.interval}; a model that keeps
 * beating its challengers waits longer: its interval doubles with each defence, from
 * {@code training.interval} up to {@code training.max-interval}.
 */
public final class RetrainPolicy {

    /** Why a key is trained, most urgent first. */
    public enum Reason {
        FIRST_MODEL, FALLBACK, DRIFT, AGE;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * @param reason why the key would be trained
     * @param enoughData whether it has the observations it needs
     * @param observationsNeeded how many more it needs (0 once it has them)
     * @param interval the time its current model must have served first (zero for a first model)
     * @param dueAt epoch milliseconds from when it may be trained (0: at once), once it has the data
     */
    public record Due(Reason reason, boolean enoughData, long observationsNeeded, Duration interval, long dueAt) {

        public boolean isDue(long now) {
            return enoughData && now >= dueAt;
        }
    }

    private RetrainPolicy() {
    }

    /**
     * With {@code model.scope=shared}: the partition's one model, trained when the partition's keys
     * together brought {@code min-new-observations} new values and {@code training.interval} has
     * passed; neither a key's drift nor {@code training.max-interval} applies, and how many values
     * are missing is the partition's, not a key's (-1: not known here).
     *
     * @param model the partition's usable shared model, or null
     */
    public static Due ofShared(StreamSettings s, ModelSnapshot model) {
        if (model == null) {
            return new Due(Reason.FIRST_MODEL, false, -1, Duration.ZERO, 0);
        }
        return new Due(Reason.AGE, false, -1, s.trainingInterval(), model.assessment().checkedAt() + s.trainingInterval().toMillis());
    }

    /** @param model the key's usable model (trained under today's settings), or null */
    public static Due of(StreamSettings s, SeriesState state, ModelSnapshot model) {
        var history = state.history();
        if (model == null) {
            long need = Math.max(s.minObservations() - history.observations(), s.nSteps() + 1L - history.size());
            return new Due(Reason.FIRST_MODEL, need <= 0, Math.max(0, need), Duration.ZERO, 0);
        }
        var a = model.assessment();
        Reason reason = state.judgement().fallback() ? Reason.FALLBACK : state.drift().drifting() ? Reason.DRIFT : Reason.AGE;
        Duration interval = switch (reason) {
            case AGE -> backoff(s, a.rejections());
            case DRIFT -> Duration.ZERO;
            default -> s.trainingInterval();
        };
        long need;
        if (history.observations() >= a.checkedObservations()) {
            need = Math.max(0, s.minNewObservations() - (history.observations() - a.checkedObservations()));
        } else {
            // the key's state started afresh (its stored record was unreadable) under a model that
            // was kept: every value of the new history is new, and there must be enough to train on
            need = Math.max(0, Math.max(s.minNewObservations() - history.observations(),
                    Math.max(s.minObservations() - history.observations(), s.nSteps() + 1L - history.size())));
        }
        return new Due(reason, need == 0, need, interval, a.checkedAt() + interval.toMillis());
    }

    /** {@code training.interval} doubled once per challenger the model beat, at most {@code training.max-interval}. */
    static Duration backoff(StreamSettings s, long defences) {
        Duration max = s.retrain().maxInterval();
        Duration d = s.trainingInterval();
        for (long i = 0; i < defences && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
