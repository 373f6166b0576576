package io.streamforecaster.tools.backtest;

import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared scope under the protocol: one model for all the series given, as one input partition
 * of the service would have for its keys. At the protocol's j-th refit, it is trained (with the
 * service's shared trainer and champion/challenger check) on every series' fit window at that
 * series' own j-th refit, so no series contributes points beyond its own refit time.
 */
public final class SharedModels {

    private final ModelSnapshot[] byRefit;
    private final double trainingSeconds;

    private SharedModels(ModelSnapshot[] byRefit, double trainingSeconds) {
        this.byRefit = byRefit;
        this.trainingSeconds = trainingSeconds;
    }

    public static SharedModels train(TrainingSettings s, List<double[]> series, PrintStream progress) {
        int refits = 0;
        for (double[] x : series) {
            refits = Math.max(refits, Protocol.refits(x.length));
        }
        ModelSnapshot[] models = new ModelSnapshot[refits];
        ModelSnapshot current = null;
        long start = System.nanoTime();
        for (int j = 0; j < refits; j++) {
            List<double[][]> histories = new ArrayList<>();
            long observations = 0;
            for (double[] x : series) {
                if (j < Protocol.refits(x.length)) {
                    int t = Protocol.warmup(x.length) + j * Protocol.REFIT_EVERY;
                    double[] h = Protocol.fitWindow(x, t);
                    double[][] rows = new double[h.length][];
                    for (int i = 0; i < h.length; i++) {
                        rows[i] = new double[] {h[i]};
                    }
                    histories.add(rows);
                    observations += t;
                }
            }
            var challenge = Selection.challengeShared(Trainer::trainShared, s, histories, current, observations, j);
            if (challenge.challenger().isFinite()) {
                current = Selection.decide(current, challenge, j).model();
            }
            models[j] = current;
            if ((j + 1) % 10 == 0 || j + 1 == refits) {
                progress.printf("  shared %s: refit %d of %d (%.0f s)%n", s.variant().id(), j + 1, refits, (System.nanoTime() - start) / 1e9);
            }
        }
        return new SharedModels(models, (System.nanoTime() - start) / 1e9);
    }

    /** The model served from the protocol's refit at time {@code t} of a series of {@code n} points. */
    public ModelSnapshot at(int n, int t) {
        return byRefit[(t - Protocol.warmup(n)) / Protocol.REFIT_EVERY];
    }

    /** All the shared model's training, in seconds. */
    public double trainingSeconds() {
        return trainingSeconds;
    }
}
