package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared scope's model: windows scaled by their own changes, trained on many keys, used by any. */
class SharedModelTest {

    static final TrainingSettings S = new TrainingSettings(Variant.VANILLA, 12, 1, 8, 80, 20, 0.01, 3, 1.0, 24);

    static double[][] sine(double level, double amplitude, int n, double phase) {
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {level + amplitude * Math.sin(2 * Math.PI * i / 12.0 + phase)};
        }
        return rows;
    }

    @Test
    void aPerWindowScalerMakesTheForecastFollowTheWindowsLevelAndScale() {
        ModelSnapshot m = TestModels.offset(S, 0.5, 1, 0);
        ModelSnapshot shared = new ModelSnapshot(m.variant(), m.nSteps(), m.nFeatures(), m.units(), Scaler.perWindow(1),
                m.lstms(), m.dense(), 1, 0, 0.1, 0);
        double[][] w = Arrays.copyOf(sine(0, 1, 40, 0.3), 12);
        double[][] big = new double[12][];
        for (int i = 0; i < 12; i++) {
            big[i] = new double[] {1000 + 50 * w[i][0]};
        }

        double f = FastForecaster.forecast(shared, w)[0];
        double g = FastForecaster.forecast(shared, big)[0];

        assertEquals(1000 + 50 * f, g, 1e-6 * Math.abs(g), "f(a w + b) = a f(w) + b");
        assertTrue(Math.abs(f - w[11][0]) > 1e-3, "and the forecast moves by half the window's own typical change");
    }

    @Test
    void theModelFormatKeepsThePerWindowScaler() {
        ModelSnapshot m = TestModels.offset(S, 0.5, 1, 0);
        ModelSnapshot shared = new ModelSnapshot(m.variant(), m.nSteps(), m.nFeatures(), m.units(), Scaler.perWindow(1),
                m.lstms(), m.dense(), 1, 0, 0.1, 0);

        assertTrue(ModelFormat.decode(ModelFormat.encode(shared)).scaler().perWindow());
        assertTrue(!ModelFormat.decode(ModelFormat.encode(m)).scaler().perWindow());
    }

    /**
     * Only the windows a shared training samples are built: it built every key's windows first, a
     * copy of each row n-steps times (at 2,000 keys of 1,000 values about 0.8 GB for 4,096 windows used).
     */
    @Test
    void aSharedTrainingBuildsOnlyTheWindowsItSamples() {
        TrainingSettings oneEpoch = new TrainingSettings(Variant.VANILLA, 12, 1, 4, 1, 1, 0.01, 3, 1.0, 0);
        List<double[][]> keys = new ArrayList<>();
        for (int k = 0; k < 2000; k++) {
            keys.add(sine(k, 1 + k % 7, 1000, 0.01 * k));
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ModelSnapshot model = Trainer.trainShared(oneEpoch, keys, null, 2_000_000, 0);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(model.isFinite());
        assertTrue(allocated < 64L << 20, "allocated " + (allocated >> 20) + " MB for " + Trainer.MAX_SHARED_WINDOWS + " windows");
    }

    /** The windows sampled are the same as when every window was built first: every k-th of all keys' windows, in order. */
    @Test
    void aSharedTrainingSamplesTheSameWindowsAsBefore() {
        List<double[][]> keys = new ArrayList<>();
        keys.add(sine(0, 1, 5, 0)); // too short for a window of 12: no windows
        for (int k = 0; k < 30; k++) {
            keys.add(sine(10 * k, 1 + k % 5, 200 + 7 * k, 0.3 * k));
        }
        keys.add(sine(0, 1, 12, 0)); // exactly n-steps values: no window either
        TrainingSettings oneEpoch = new TrainingSettings(Variant.VANILLA, 12, 1, 4, 1, 1, 0.01, 3, 1.0, 0);
        // as it was done: every key's windows, then every k-th of them
        Scaler scaler = Scaler.perWindow(1);
        List<double[][]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (double[][] h : keys) {
            Windows w = Windows.split(h, 12);
            for (int i = 0; i < w.count(); i++) {
                xs.add(w.x()[i]);
                ys.add(w.y()[i]);
            }
        }
        int n = Math.min(xs.size(), Trainer.MAX_SHARED_WINDOWS);
        assertTrue(xs.size() > n, "more windows than are sampled: " + xs.size());
        double[][][] x = new double[n][][];
        float[][] labels = new float[n][];
        for (int i = 0; i < n; i++) {
            int j = (int) ((long) i * xs.size() / n);
            x[i] = scaler.scaleWindow(xs.get(j));
            double[] t = scaler.scaleTarget(xs.get(j), ys.get(j));
            labels[i] = new float[] {(float) Math.max(-10, Math.min(10, t[0]))};
        }
        var expected = JavaTrainer.fit(oneEpoch, x, labels, null, oneEpoch.epochs());
        ModelSnapshot model = Trainer.trainShared(oneEpoch, keys, null, 1000, 0);
        assertEquals(expected.loss(), model.trainingLoss(), 0.0, "the same windows, the same training");
    }

    @Test
    void aModelTrainedOnSomeKeysForecastsAKeyItHasNeverSeen() {
        List<double[][]> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            keys.add(sine(10 * k, 1 + k, 200, 0.7 * k));
        }

        ModelSnapshot model = Trainer.trainShared(S, keys, null, 800, 0);

        double[][] unseen = sine(-300, 25, 120, 2.0); // other level, amplitude and phase
        double error = 0;
        double naive = 0;
        for (int t = 60; t < unseen.length; t++) {
            error += Math.abs(FastForecaster.forecast(model, Arrays.copyOfRange(unseen, t - 12, t))[0] - unseen[t][0]);
            naive += Math.abs(unseen[t - 1][0] - unseen[t][0]);
        }
        assertTrue(model.scaler().perWindow());
        assertTrue(error / naive < 0.5, "a sine of any level and scale is the same shape to it: MASE " + error / naive);
    }

    @Test
    void theSharedChallengeHoldsOutEveryKeysNewestPointsAndComparesRelativeErrors() {
        List<double[][]> keys = List.of(ramp(40, 1), ramp(40, 100)); // steps of 1 and of 100
        AtomicInteger rows = new AtomicInteger();
        TrainingSettings s = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 8);
        ModelSnapshot champion = TestModels.offset(s, 0, 3, 0); // naive exactly: relative MAE 1
        var challenge = Selection.challengeShared((ts, histories, prev, obs, now) -> {
            histories.forEach(h -> rows.addAndGet(h.length));
            ModelSnapshot m = TestModels.offset(ts, 0.5, 0, obs); // half the window's typical change: relative MAE 0.5
            return new ModelSnapshot(m.variant(), m.nSteps(), m.nFeatures(), m.units(), Scaler.perWindow(1), m.lstms(), m.dense(),
                    0, 0, 0.1, obs);
        }, s, keys, champion, 80, 1);

        assertEquals(64, rows.get(), "8 held out of each key's 40");
        var e = challenge.evaluation();
        assertEquals(16, e.points());
        assertEquals(0.5, e.challengerMae(), 1e-6);
        assertEquals(1.0, e.championMae(), 1e-6);
        assertEquals(Selection.Decision.PROMOTED, Selection.decide(champion, challenge, 1).decision());
    }

    /**
     * A key whose held-out changes overflow (values near ±1.7e308) has an infinite naive MAE: its
     * ratios were Inf / Inf = NaN, the partition's champion score NaN, which reads as "no champion",
     * and the challenger was promoted without evidence. Such a key has no scale to compare on.
     */
    @Test
    void theSharedChallengeLeavesOutAKeyWhoseNaiveErrorIsNotFinite() {
        double[][] wild = ramp(40, 1);
        for (int i = 32; i < 40; i++) {
            wild[i] = new double[] {(i % 2 == 0 ? 1 : -1) * 1.7e308};
        }
        TrainingSettings s = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 8);
        ModelSnapshot champion = TestModels.offset(s, 0, 3, 0);
        var challenge = Selection.challengeShared((ts, histories, prev, obs, now) -> {
            ModelSnapshot m = TestModels.offset(ts, 0.5, 0, obs);
            return new ModelSnapshot(m.variant(), m.nSteps(), m.nFeatures(), m.units(), Scaler.perWindow(1), m.lstms(), m.dense(),
                    0, 0, 0.1, obs);
        }, s, List.of(ramp(40, 1), wild), champion, 80, 1);

        var e = challenge.evaluation();
        assertEquals(8, e.points(), "the ramp's held-out points only");
        assertEquals(0.5, e.challengerMae(), 1e-6);
        assertEquals(1.0, e.championMae(), 1e-6);
    }

    static double[][] ramp(int n, double step) {
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {i * step};
        }
        return rows;
    }

    /** A shared model sees a window in small units (1e-12) at unit scale too: it was scaled by 1e-6, so its inputs were about 1e-6. */
    @Test
    void aPerWindowScalerScalesAWindowInSmallUnitsByItsOwnChanges() {
        double[][] w = sine(0, 1e-12, 12, 0.3);
        double[] s = Scaler.perWindow(1).scales(w);
        assertTrue(s[0] > 1e-13 && s[0] < 1e-11, "scale " + s[0]);
        double[][] flat = new double[12][];
        Arrays.fill(flat, new double[] {0});
        assertTrue(Scaler.perWindow(1).scales(flat)[0] > 0, "a flat window at 0 still has a scale to divide by");
    }

    /** A key that stays flat for a window and then moves: common in metrics (an error count stuck at 0). */
    static double[][] flatThenJump(double level, double jump, int n) {
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {i < n - 1 ? level : level + jump};
        }
        return rows;
    }

    /**
     * Each window's target is its next change over the window's own typical change: after a flat
     * window (scale about 1e-6 of its level) any move is a target of millions, and a jump of 1e40 is
     * no float at all. One such key ruined the partition's model for every key: its loss went from
     * 0.44 to 1.9e6, a flat key was forecast at twice its level, and a jump of 1e40 gave a model of
     * NaN weights, refused and retrained again and again.
     */
    @Test
    void aKeyThatJumpsAfterAFlatWindowDoesNotRuinTheSharedModel() {
        List<double[][]> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            keys.add(sine(10 * k, 1 + k, 200, 0.7 * k));
        }
        keys.add(flatThenJump(0, 1, 13));
        keys.add(flatThenJump(3, 1e40, 13));

        ModelSnapshot model = Trainer.trainShared(S, keys, null, 1000, 0);

        assertTrue(Double.isFinite(model.trainingLoss()) && model.trainingLoss() < 10, "loss " + model.trainingLoss());
        double[][] flat = new double[12][];
        Arrays.fill(flat, new double[] {5});
        assertEquals(5, FastForecaster.forecast(model, flat)[0], 1e-3, "a flat key stays about where it is");
        ModelSnapshot clean = Trainer.trainShared(S, keys.subList(0, 4), null, 1000, 0);
        double[][] w = Arrays.copyOfRange(sine(0, 1, 60, 0.3), 40, 52);
        assertEquals(FastForecaster.forecast(clean, w)[0], FastForecaster.forecast(model, w)[0], 0.5,
                "the other keys' forecasts are about those of a model trained without the jumping keys");
    }
}
