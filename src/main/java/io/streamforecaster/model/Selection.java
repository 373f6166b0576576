package io.streamforecaster.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Champion and challenger: a retrained model (the challenger) is trained without the key's newest
 * {@code holdout} observations and replaces the current model (the champion) only if its one-step
 * forecasts of those observations are better. The service's training pool and the backtest both
 * go through here.
 */
public final class Selection {

    private Selection() {
    }

    /**
     * The outcome of one challenge.
     *
     * @param points held-out observations both models forecast, 0 when the history was too short to hold any out
     * @param challengerMae MAE of the new model on them
     * @param championMae MAE of the current model on them, NaN when there is no usable current model
     * @param naiveMae MAE of the naive last-value forecast on them
     */
    public record Evaluation(int points, double challengerMae, double championMae, double naiveMae) {

        public static final Evaluation NONE = new Evaluation(0, Double.NaN, Double.NaN, Double.NaN);

        /**
         * Whether the challenger replaces the champion: no champion, no held-out data, or not worse.
         * A challenger whose held-out error is not finite is never better: with the champion's not
         * finite either (an outlier in the held-out rows), {@code Inf <= Inf} promoted it without evidence.
         */
        public boolean promote() {
            if (points == 0 || Double.isNaN(championMae)) {
                return true;
            }
            return Double.isFinite(challengerMae) && challengerMae <= championMae;
        }
    }

    /** A challenger and how it did against the champion. */
    public record Challenge(ModelSnapshot challenger, Evaluation evaluation) {
    }

    /**
     * The held-out observations for a history of {@code n} rows: the configured number, but never
     * more than a quarter of the history (a short history is needed for training), and none when
     * too few would be left to train on.
     */
    public static int holdoutFor(TrainingSettings s, int n) {
        int h = Math.min(s.holdout(), n / 4);
        return n - h >= s.nSteps() + 2 ? h : 0;
    }

    /**
     * Trains a challenger on {@code history} minus its newest {@link #holdoutFor} rows and scores
     * it and {@code champion} (when it has the same shape) on them.
     */
    public static Challenge challenge(TrainingPool.TrainFunction trainer, TrainingSettings s, double[][] history,
                                      ModelSnapshot champion, long observations, long now) {
        int h = holdoutFor(s, history.length);
        double[][] training = h == 0 ? history : Arrays.copyOf(history, history.length - h);
        ModelSnapshot challenger = trainer.train(s, training, champion, observations, now);
        return new Challenge(challenger, evaluate(challenger, champion != null && Trainer.compatible(champion, s) ? champion : null,
                history, history.length - h));
    }

    /** What trains a shared model: {@link Trainer#trainShared} in the service. */
    @FunctionalInterface
    public interface SharedTrainFunction {
        ModelSnapshot train(TrainingSettings settings, List<double[][]> histories, ModelSnapshot previous, long observations, long now);
    }

    /**
     * The shared scope's challenge: the challenger is trained on every key's history minus its
     * newest {@link #holdoutFor} rows, and both models are scored on those rows of every key. As
     * keys have their own units, the MAEs are relative: each key's MAE over its naive MAE,
     * averaged over the keys ({@code naiveMae} is then 1).
     */
    public static Challenge challengeShared(SharedTrainFunction trainer, TrainingSettings s, List<double[][]> histories,
                                            ModelSnapshot champion, long observations, long now) {
        List<double[][]> training = new ArrayList<>();
        for (double[][] h : histories) {
            int held = holdoutFor(s, h.length);
            training.add(held == 0 ? h : Arrays.copyOf(h, h.length - held));
        }
        ModelSnapshot challenger = trainer.train(s, training, champion, observations, now);
        ModelSnapshot usableChampion = champion != null && Trainer.compatible(champion, s) ? champion : null;
        int points = 0;
        int keys = 0;
        double c = 0;
        double p = 0;
        for (double[][] h : histories) {
            int held = holdoutFor(s, h.length);
            Evaluation e = evaluate(challenger, usableChampion, h, h.length - held);
            if (e.points() == 0 || !(e.naiveMae() > 0) || !Double.isFinite(e.naiveMae())) { // no scale to compare on
                continue;
            }
            points += e.points();
            keys++;
            c += e.challengerMae() / e.naiveMae();
            p += usableChampion == null ? 0 : e.championMae() / e.naiveMae();
        }
        if (keys == 0) {
            return new Challenge(challenger, Evaluation.NONE);
        }
        // every ratio has a finite, positive naive MAE below it: finite or +Inf, never NaN (which reads as "no champion")
        return new Challenge(challenger, new Evaluation(points, c / keys, usableChampion == null ? Double.NaN : p / keys, 1.0));
    }

    /** Scores one-step forecasts of {@code history[from..)} by both models and by the last value. */
    public static Evaluation evaluate(ModelSnapshot challenger, ModelSnapshot champion, double[][] history, int from) {
        int n = history.length;
        if (from >= n || challenger == null) {
            return Evaluation.NONE;
        }
        int steps = challenger.nSteps();
        double c = 0;
        double p = 0;
        double naive = 0;
        for (int t = from; t < n; t++) {
            double actual = history[t][0];
            double[][] window = Arrays.copyOfRange(history, t - steps, t);
            c += Math.abs(FastForecaster.forecast(challenger, window)[0] - actual);
            if (champion != null) {
                p += Math.abs(FastForecaster.forecast(champion, Arrays.copyOfRange(history, t - champion.nSteps(), t))[0] - actual);
            }
            naive += Math.abs(history[t - 1][0] - actual);
        }
        int points = n - from;
        double challengerMae = Double.isFinite(c) ? c / points : Double.POSITIVE_INFINITY;
        double championMae = champion == null ? Double.NaN : Double.isFinite(p) ? p / points : Double.POSITIVE_INFINITY;
        return new Evaluation(points, challengerMae, championMae, naive / points);
    }

    /** What a task does with a finished challenge. */
    public enum Decision { PROMOTED, REJECTED }

    /** The key's model after a challenge, and what happened. */
    public record Outcome(ModelSnapshot model, Decision decision) {
    }

    /**
     * Installs the challenger as version {@code champion.version() + 1} (or 1), or keeps the
     * champion, stamped as defended, so the retraining schedule counts from this check.
     *
     * @param champion the key's current model, or null
     */
    public static Outcome decide(ModelSnapshot champion, Challenge challenge, long now) {
        Evaluation e = challenge.evaluation();
        if (champion == null || e.promote()) {
            long version = champion == null ? 1 : champion.version() + 1;
            return new Outcome(challenge.challenger().installed(version, now, e), Decision.PROMOTED);
        }
        return new Outcome(champion.defended(now, challenge.challenger().observations(), e), Decision.REJECTED);
    }
}
