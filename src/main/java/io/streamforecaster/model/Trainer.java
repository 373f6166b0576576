package io.streamforecaster.model;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains one key's model with the configured engine ({@link TrainingEngine}: our Java path or
 * DL4J, the same math): split_sequence windows over the key's history, each seen
 * relative to its own last row and scaled by the key's typical change ({@link Scaler}), the target
 * being the scaled change to the next row (so an untrained network forecasts the naive last value). Runs on a training thread, never on
 * a stream thread.
 */
public final class Trainer {

    private Trainer() {
    }

    /**
     * @param history the key's observations, oldest first, {@code nFeatures} values each
     * @param previous the key's current model, used as warm start when its shape matches; may be null
     * @param observations the key's observation count when {@code history} was snapshot
     * @param now epoch milliseconds to stamp as training time
     * @return a model with version {@code previous.version() + 1} (or 1)
     */
    public static ModelSnapshot train(TrainingSettings s, double[][] history, ModelSnapshot previous,
                                      long observations, long now) {
        if (history.length < s.nSteps() + 1) {
            throw new IllegalArgumentException("Need at least " + (s.nSteps() + 1) + " observations to train, got " + history.length);
        }
        Scaler scaler = Scaler.fit(history);
        Windows windows = Windows.split(history, s.nSteps());
        return fit(s, scaler, scaled(windows.x(), scaler), targets(windows, scaler), previous, observations, now);
    }

    /** Loads what a first model under these settings starts from, so that the first training does not wait for it. */
    public static void prepare(TrainingSettings s) {
        JavaTrainer.initialParameters(s);
    }

    /** Windows a shared model trains on at most, sampled evenly over its keys' windows. */
    public static final int MAX_SHARED_WINDOWS = 4096;
    /** The largest next change a shared model is trained on, in units of its window's own typical change. */
    static final double MAX_SHARED_TARGET = 10;

    /**
     * Trains one model shared by several keys (one input partition's): the split_sequence windows
     * of every key's history, each window scaled by its own changes ({@link Scaler#perWindow}), at
     * most {@link #MAX_SHARED_WINDOWS} of them, sampled the same way for the same input.
     *
     * @param histories each key's observations, oldest first
     */
    public static ModelSnapshot trainShared(TrainingSettings s, List<double[][]> histories, ModelSnapshot previous,
                                            long observations, long now) {
        Scaler scaler = Scaler.perWindow(s.nFeatures());
        int nSteps = s.nSteps();
        // the windows are numbered across the keys, in order, and only the sampled ones are built:
        // building every key's windows first took memory in proportion to keys x history x n-steps
        long[] firstWindow = new long[histories.size() + 1];
        for (int h = 0; h < histories.size(); h++) {
            firstWindow[h + 1] = firstWindow[h] + Math.max(0, histories.get(h).length - nSteps);
        }
        long total = firstWindow[histories.size()];
        if (total == 0) {
            throw new IllegalArgumentException("No key has " + (nSteps + 1) + " observations to train a shared model on");
        }
        int n = (int) Math.min(total, MAX_SHARED_WINDOWS);
        double[][][] x = new double[n][][];
        float[][] labels = new float[n][];
        for (int i = 0; i < n; i++) {
            long j = i * total / n; // evenly over all keys' windows
            int h = java.util.Arrays.binarySearch(firstWindow, j);
            h = h >= 0 ? h : -h - 2; // the key whose windows hold the j-th
            while (firstWindow[h + 1] == j) {
                h++; // past keys without a window
            }
            double[][] history = histories.get(h);
            int offset = (int) (j - firstWindow[h]);
            double[][] window = java.util.Arrays.copyOfRange(history, offset, offset + nSteps);
            x[i] = scaler.scaleWindow(window);
            double[] target = scaler.scaleTarget(window, history[offset + nSteps]);
            labels[i] = new float[target.length];
            for (int f = 0; f < target.length; f++) {
                // a change beyond MAX_SHARED_TARGET of the window's own typical changes (a flat window, then any
                // move; or a jump of 1e40, no float at all) is no pattern to learn: it would outweigh every other key
                labels[i][f] = (float) Math.max(-MAX_SHARED_TARGET, Math.min(MAX_SHARED_TARGET, target[f]));
            }
        }
        return fit(s, scaler, x, labels, previous, observations, now);
    }

    /** What an engine's training run gives: the trained weights and the final training loss (MSE, scaled units). */
    record Fit(List<LstmWeights> lstms, DenseWeights dense, double loss) {
    }

    private static ModelSnapshot fit(TrainingSettings s, Scaler scaler, double[][][] x, float[][] targets, ModelSnapshot previous,
                                     long observations, long now) {
        // warm-start-epochs = 0: every retrain starts from fresh weights, as a first model does
        boolean warm = s.warmStartEpochs() > 0 && previous != null && compatible(previous, s)
                && previous.scaler().perWindow() == scaler.perWindow();
        int epochs = warm ? s.warmStartEpochs() : s.epochs();
        ModelSnapshot start = warm ? previous : null;
        Fit fit = s.engine() == TrainingEngine.DL4J ? fitDl4j(s, x, targets, start, epochs) : JavaTrainer.fit(s, x, targets, start, epochs);
        long version = previous == null ? 1 : previous.version() + 1;
        return new ModelSnapshot(s.variant(), s.nSteps(), s.nFeatures(), s.units(), scaler, fit.lstms(), fit.dense(),
                version, now, fit.loss(), observations);
    }

    /** DL4J's {@code fit}, one full-batch call per epoch, on a network built for this run. */
    static Fit fitDl4j(TrainingSettings s, double[][][] x, float[][] targets, ModelSnapshot warmStart, int epochs) {
        INDArray[] in = Dl4jModels.inputs(s.variant(), x, s.nSteps(), s.nFeatures());
        INDArray labels = Nd4j.create(targets);
        ComputationGraph net = Dl4jModels.newNetwork(s);
        if (warmStart != null) {
            Dl4jModels.load(net, warmStart);
        }
        INDArray[] out = {labels};
        for (int e = 0; e < epochs; e++) {
            stopIfInterrupted();
            net.fit(in, out);
        }
        double loss = net.score(new MultiDataSet(in, out));
        return new Fit(Dl4jModels.lstmWeights(net, s.variant()), Dl4jModels.denseWeights(net), loss);
    }

    /**
     * Ends a training whose thread was interrupted (the pool is closing as the service stops): a
     * training of many epochs went on to its end, and the stop waited for it.
     */
    static void stopIfInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new java.util.concurrent.CancellationException("Training interrupted: the training pool is closing");
        }
    }

    /** Whether a model was trained under these settings' shapes, so it can forecast and warm-start. */
    public static boolean compatible(ModelSnapshot m, TrainingSettings s) {
        return m.variant() == s.variant() && m.nSteps() == s.nSteps() && m.nFeatures() == s.nFeatures() && m.units() == s.units();
    }

    static double[][][] scaled(double[][][] windows, Scaler scaler) {
        double[][][] out = new double[windows.length][][];
        for (int i = 0; i < windows.length; i++) {
            out[i] = scaler.scaleWindow(windows[i]);
        }
        return out;
    }

    static float[][] targets(Windows w, Scaler scaler) {
        int nf = scaler.features();
        float[][] out = new float[w.count()][nf];
        for (int i = 0; i < w.count(); i++) {
            double[] target = scaler.scaleTarget(w.x()[i], w.y()[i]);
            for (int f = 0; f < nf; f++) {
                out[i][f] = (float) target[f];
            }
        }
        return out;
    }
}
