package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Java training engine must compute what DL4J computes, on random weights and data, for the
 * three variants with one and two features: the score, every parameter type's gradient, and the
 * parameters after one clipped Adam step ({@code ComputationGraph.fit}).
 *
 * <p>Tolerances. Both work in float (unit roundoff 6e-8) but sum in different orders (DL4J's
 * matrix products over the batch per time step, ours window by window over up to a few hundred
 * terms), and a ReLU input within rounding of 0 may fall on either side in either engine. On nine
 * random networks of the shipped size (three per variant) they moved a gradient by at most 3.3e-5
 * of its type's largest element, and by under 3e-6 on seven of them; 1e-4 of it leaves a margin
 * and still catches any wrong term (a missing or misplaced term is off by tens of percent).
 */
class TrainingParityTest {

    static final double GRADIENT_TOLERANCE = 1e-4;

    static Stream<Arguments> shapes() {
        return Stream.of(Variant.values()).flatMap(v -> Stream.of(Arguments.of(v, 1), Arguments.of(v, 2)));
    }

    /** A DL4J network with random weights of a spread that drives ReLUs both ways and saturates some gates. */
    static ComputationGraph randomNetwork(TrainingSettings s, Random random) {
        ComputationGraph net = Dl4jModels.newNetwork(s);
        INDArray params = net.params();
        for (long i = 0; i < params.length(); i++) {
            params.putScalar(i, random.nextGaussian() * 0.4);
        }
        return net;
    }

    static double[][][] randomWindows(int n, int steps, int nf, Random random) {
        double[][][] x = new double[n][steps][nf];
        for (double[][] w : x) {
            for (double[] row : w) {
                for (int f = 0; f < nf; f++) {
                    row[f] = random.nextGaussian() * 1.5;
                }
            }
        }
        return x;
    }

    static float[][] randomTargets(int n, int nf, Random random) {
        float[][] y = new float[n][nf];
        for (float[] row : y) {
            for (int f = 0; f < nf; f++) {
                row[f] = (float) (random.nextGaussian() * 2);
            }
        }
        return y;
    }

    static NetworkParameters ours(ComputationGraph net, TrainingSettings s) {
        return NetworkParameters.of(s.variant(), s.nFeatures(), s.units(), Dl4jModels.lstmWeights(net, s.variant()),
                Dl4jModels.denseWeights(net));
    }

    /** DL4J's gradient in our form, divided by the batch size as its updater does. */
    static NetworkParameters dl4jGradient(ComputationGraph net, TrainingSettings s, int n) {
        String[] names = NetworkFactory.lstmLayerNames(s.variant());
        var g = net.gradient();
        java.util.List<LstmWeights> lstms = new java.util.ArrayList<>();
        for (int l = 0; l < names.length; l++) {
            float[] w = divided(g.getGradientFor(names[l] + "_W"), n);
            lstms.add(new LstmWeights(w.length / (4 * s.units()), s.units(), w, divided(g.getGradientFor(names[l] + "_RW"), n),
                    divided(g.getGradientFor(names[l] + "_b"), n)));
        }
        float[] dw = divided(g.getGradientFor(NetworkFactory.OUTPUT + "_W"), n);
        DenseWeights dense = new DenseWeights(dw.length / s.nFeatures(), s.nFeatures(), dw,
                divided(g.getGradientFor(NetworkFactory.OUTPUT + "_b"), n));
        return NetworkParameters.of(s.variant(), s.nFeatures(), s.units(), lstms, dense);
    }

    private static float[] divided(INDArray values, int n) {
        float[] v = values.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            v[i] /= n;
        }
        return v;
    }

    @ParameterizedTest(name = "{0}, {1} feature(s)")
    @MethodSource("shapes")
    void shouldComputeDl4jsScoreAndGradients(Variant variant, int nFeatures) {
        Random random = new Random(100L * variant.ordinal() + nFeatures);
        for (int[] shape : new int[][] {{7, 6, 37}, {12, 20, 150}}) { // steps, units, windows: small and the shipped size
            TrainingSettings s = new TrainingSettings(variant, shape[0], nFeatures, shape[1], 1, 1, 0.01, 7, 1.0, 0,
                    TrainingEngine.JAVA);
            ComputationGraph net = randomNetwork(s, random);
            int n = shape[2];
            double[][][] x = randomWindows(n, s.nSteps(), nFeatures, random);
            float[][] y = randomTargets(n, nFeatures, random);

            net.setInputs(Dl4jModels.inputs(variant, x, s.nSteps(), nFeatures));
            net.setLabels(Nd4j.create(y));
            net.computeGradientAndScore();
            NetworkParameters expected = dl4jGradient(net, s, n);

            NetworkParameters params = ours(net, s);
            NetworkParameters grad = params.zerosLike();
            double score = NetworkGradient.of(s).compute(params, TrainingBatch.of(x, y), grad);

            String what = variant + ", " + nFeatures + " feature(s), " + shape[0] + " steps, " + shape[1] + " units";
            assertEquals(net.score(), score, 1e-4 * net.score(), what + ": score");
            assertGradientsMatch(expected, grad, what);
        }
    }

    static void assertGradientsMatch(NetworkParameters expected, NetworkParameters actual, String what) {
        float[][][] e = expected.types();
        float[][][] a = actual.types();
        for (int t = 0; t < e.length; t++) {
            double largest = largest(e[t]);
            assertTrue(largest > 0, what + ": parameter type " + t + " has no gradient at all: the test would prove nothing");
            for (int r = 0; r < e[t].length; r++) {
                for (int j = 0; j < e[t][r].length; j++) {
                    assertEquals(e[t][r][j], a[t][r][j], GRADIENT_TOLERANCE * largest,
                            what + ": gradient of parameter type " + t + ", row " + r + ", column " + j);
                }
            }
        }
    }

    static double largest(float[][] type) {
        double largest = 0;
        for (float[] row : type) {
            for (float v : row) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        return largest;
    }

    /**
     * One {@code fit} call of DL4J against one epoch of ours, with the clipping threshold low
     * enough that some parameter types are clipped and others not. Adam's first step moves each
     * parameter by about the learning rate times the sign of its gradient, so the parameters must
     * agree to a small fraction of it; a gradient within the gradients' tolerance of 0 may point
     * either way in either engine, and such parameters (a few percent at most) are left out.
     */
    @ParameterizedTest(name = "{0}, {1} feature(s)")
    @MethodSource("shapes")
    void shouldMakeDl4jsClippedAdamStep(Variant variant, int nFeatures) {
        Random random = new Random(200L * variant.ordinal() + nFeatures);
        double lr = 0.01;
        TrainingSettings unclippedSettings = new TrainingSettings(variant, 9, nFeatures, 8, 1, 1, lr, 7, 1.0, 0, TrainingEngine.JAVA);
        ComputationGraph random0 = randomNetwork(unclippedSettings, random);
        int n = 64;
        double[][][] x = randomWindows(n, unclippedSettings.nSteps(), nFeatures, random);
        float[][] y = randomTargets(n, nFeatures, random);
        NetworkParameters before = ours(random0, unclippedSettings);

        NetworkParameters grad = before.zerosLike();
        NetworkGradient.of(unclippedSettings).compute(before, TrainingBatch.of(x, y), grad);
        NetworkParameters unclipped = grad.copy();
        // a threshold between the smallest and the largest parameter type's norm: some are clipped, others not
        double smallest = Double.MAX_VALUE;
        double largestNorm = 0;
        for (float[][] type : grad.types()) {
            double norm = Math.sqrt(GradientClipping.sumOfSquares(type));
            smallest = Math.min(smallest, norm);
            largestNorm = Math.max(largestNorm, norm);
        }
        TrainingSettings s = new TrainingSettings(variant, 9, nFeatures, 8, 1, 1, lr, 7, Math.sqrt(smallest * largestNorm), 0,
                TrainingEngine.JAVA);
        int clipped = GradientClipping.clipPerParamType(grad, s.gradientClip());
        assertTrue(clipped > 0 && clipped < grad.types().length,
                "the threshold must clip some parameter types and not others, clipped " + clipped);
        NetworkParameters params = before.copy();
        new Adam(params, lr).step(params, grad);

        ComputationGraph net = Dl4jModels.newNetwork(s);
        net.params().assign(random0.params());
        net.fit(Dl4jModels.inputs(variant, x, s.nSteps(), nFeatures), new INDArray[] {Nd4j.create(y)});
        float[] expected = ours(net, s).flatten();
        float[] got = params.flatten();
        float[] start = before.flatten();
        float[] g = unclipped.flatten();
        float[] gClipped = grad.flatten();

        int skipped = 0;
        int moved = 0;
        int at = 0;
        for (float[][] type : unclipped.types()) {
            double largest = largest(type);
            int size = type.length * type[0].length;
            for (int i = at; i < at + size; i++) {
                if (g[i] == 0) { // a unit ReLU keeps at 0 for every window: no gradient, no move, in both
                    assertEquals(start[i], got[i], 0.0);
                    assertEquals(start[i], expected[i], 1e-7, variant + ": parameter " + i + " without gradient");
                    continue;
                }
                if (Math.abs(g[i]) < GRADIENT_TOLERANCE * largest) {
                    skipped++;
                    continue;
                }
                assertEquals(expected[i], got[i], 1e-3 * lr, variant + ": parameter " + i + " after one step");
                if (Math.abs(gClipped[i]) > 1e-5) {
                    assertTrue(Math.abs(got[i] - start[i]) > 0.5 * lr, "a parameter with a gradient moves by about lr");
                    moved++;
                }
            }
            at += size;
        }
        assertTrue(skipped < g.length / 10, skipped + " of " + g.length + " parameters had a gradient within rounding of 0");
        assertTrue(moved > g.length / 3, "only " + moved + " of " + g.length + " parameters moved: the test would prove little");
    }

    /** Twenty epochs from DL4J's own initial weights, as a first model trains: both end at about the same loss and weights. */
    @ParameterizedTest(name = "{0}, {1} feature(s)")
    @MethodSource("shapes")
    void shouldTrainAFirstModelAsDl4jDoes(Variant variant, int nFeatures) {
        Random random = new Random(300L * variant.ordinal() + nFeatures);
        TrainingSettings s = new TrainingSettings(variant, 12, nFeatures, 20, 20, 5, 0.01, 42, 1.0, 0, TrainingEngine.JAVA);
        int n = 200;
        double[][][] x = new double[n][12][nFeatures];
        float[][] y = new float[n][nFeatures];
        double[] series = new double[n + 13];
        for (int i = 0; i < series.length; i++) { // a noisy seasonal series: something to learn
            series[i] = Math.sin(i * 2 * Math.PI / 24) * 3 + random.nextGaussian() * 0.3;
        }
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 12; t++) {
                for (int f = 0; f < nFeatures; f++) {
                    x[i][t][f] = series[i + t] - series[i + 11] + f * 0.1;
                }
            }
            for (int f = 0; f < nFeatures; f++) {
                y[i][f] = (float) (series[i + 12] - series[i + 11]);
            }
        }
        Trainer.Fit java = JavaTrainer.fit(s, x, y, null, s.epochs());
        Trainer.Fit dl4j = Trainer.fitDl4j(s.withEngine(TrainingEngine.DL4J), x, y, null, s.epochs());
        assertEquals(dl4j.loss(), java.loss(), 1e-3 * dl4j.loss(), variant + ": final training loss");
        for (int l = 0; l < java.lstms().size(); l++) {
            assertArrayEquals(dl4j.lstms().get(l).inputWeights(), java.lstms().get(l).inputWeights(), 5e-3f,
                    variant + ": input weights of layer " + l);
            assertArrayEquals(dl4j.lstms().get(l).recurrentWeights(), java.lstms().get(l).recurrentWeights(), 5e-3f,
                    variant + ": recurrent weights of layer " + l);
            assertArrayEquals(dl4j.lstms().get(l).bias(), java.lstms().get(l).bias(), 5e-3f, variant + ": bias of layer " + l);
        }
        assertArrayEquals(dl4j.dense().weights(), java.dense().weights(), 5e-3f, variant + ": dense weights");
    }

    /**
     * Through {@link Trainer}, as the service trains: a first model, and a retrain warm-started from
     * it 40 observations later, by each engine, forecast the same values. Not to float rounding:
     * early Adam steps move a parameter by about the learning rate times the sign of its gradient,
     * so a gradient within rounding of 0 may step either way, and the epochs carry such differences
     * on; 1 % (of the loss, and of the series' typical step for the forecasts) bounds them.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Variant.class)
    void shouldTrainTheSameModelsThroughTheTrainerWithEitherEngine(Variant variant) {
        Random random = new Random(500L + variant.ordinal());
        double[][] series = new double[340][];
        double level = 50;
        for (int i = 0; i < series.length; i++) {
            level += random.nextGaussian() * 0.5;
            series[i] = new double[] {level + 8 * Math.sin(i * 2 * Math.PI / 24) + random.nextGaussian()};
        }
        double[][] first = Arrays.copyOf(series, 300);
        TrainingSettings javaEngine = new TrainingSettings(variant, 12, 1, 20, 20, 5, 0.01, 42, 1.0, 0, TrainingEngine.JAVA);
        TrainingSettings dl4j = javaEngine.withEngine(TrainingEngine.DL4J);
        ModelSnapshot j1 = Trainer.train(javaEngine, first, null, 300, 0);
        ModelSnapshot d1 = Trainer.train(dl4j, first, null, 300, 0);
        // both retrains start from the same model, so that they differ only by their own epochs
        ModelSnapshot j2 = Trainer.train(javaEngine, series, d1, 340, 1);
        ModelSnapshot d2 = Trainer.train(dl4j, series, d1, 340, 1);
        assertEquals(d1.trainingLoss(), j1.trainingLoss(), 1e-2 * d1.trainingLoss(), "first model's loss");
        assertEquals(d2.trainingLoss(), j2.trainingLoss(), 1e-2 * d2.trainingLoss(), "retrain's loss");
        assertEquals(2, j2.version());
        for (int t = 12; t <= series.length; t += 7) {
            double[][] window = Arrays.copyOfRange(series, t - 12, t);
            // the series moves by about 1 a step: forecasts must agree to a hundredth of that
            assertEquals(FastForecaster.forecast(d1, window)[0], FastForecaster.forecast(j1, window)[0], 1e-2, "first model at " + t);
            assertEquals(FastForecaster.forecast(d2, window)[0], FastForecaster.forecast(j2, window)[0], 1e-2, "retrain at " + t);
        }
    }

    /**
     * Clipping checked on its own: Adam's first step hardly depends on a gradient's scale, so the
     * step test above cannot tell a clipped gradient from an unclipped one. DL4J's updater clips a
     * layer's gradient in {@code preApply}; ours must give the same numbers.
     */
    @ParameterizedTest(name = "{0}, {1} feature(s)")
    @MethodSource("shapes")
    void shouldClipEachParameterTypeAsDl4jDoes(Variant variant, int nFeatures) {
        Random random = new Random(400L * variant.ordinal() + nFeatures);
        TrainingSettings s = new TrainingSettings(variant, 5, nFeatures, 6, 1, 1, 0.01, 7, 1.0, 0, TrainingEngine.JAVA);
        ComputationGraph net = Dl4jModels.newNetwork(s);
        NetworkParameters grad = ours(randomNetwork(s, random), s); // random values: norms of a few, so most types are clipped
        float[][][] types = grad.types();
        for (float[] row : types[types.length - 1]) { // and one type with a small norm, which must stay as it is
            for (int j = 0; j < row.length; j++) {
                row[j] *= 1e-3f;
            }
        }
        float[] before = grad.flatten();
        int clipped = GradientClipping.clipPerParamType(grad, s.gradientClip());
        assertTrue(clipped > 0 && clipped < types.length, "some types clipped, not all: " + clipped);

        String[] names = NetworkFactory.lstmLayerNames(variant);
        NetworkParameters unclipped = unflat(before, s, variant);
        java.util.List<float[]> expected = new java.util.ArrayList<>();
        for (int l = 0; l < names.length; l++) {
            expected.addAll(dl4jClipped(net, names[l], new float[][][] {unclipped.w[l], unclipped.rw[l], {unclipped.b[l]}},
                    new String[] {"W", "RW", "b"}));
        }
        expected.addAll(dl4jClipped(net, NetworkFactory.OUTPUT, new float[][][] {unclipped.denseW, {unclipped.denseB}},
                new String[] {"W", "b"}));
        float[] dl4j = new float[before.length];
        int at = 0;
        for (float[] e : expected) {
            System.arraycopy(e, 0, dl4j, at, e.length);
            at += e.length;
        }
        assertArrayEquals(dl4j, grad.flatten(), 1e-6f);
    }

    private static NetworkParameters unflat(float[] flat, TrainingSettings s, Variant variant) {
        NetworkParameters p = new NetworkParameters(variant, s.nFeatures(), s.units());
        int at = 0;
        for (float[][] type : p.types()) {
            for (float[] row : type) {
                System.arraycopy(flat, at, row, 0, row.length);
                at += row.length;
            }
        }
        return p;
    }

    /** One layer's parameter types through DL4J's {@code preApply}, each row-major. */
    private static java.util.List<float[]> dl4jClipped(ComputationGraph net, String layer, float[][][] types, String[] keys) {
        var gradient = new org.deeplearning4j.nn.gradient.DefaultGradient();
        INDArray[] arrays = new INDArray[types.length];
        for (int t = 0; t < types.length; t++) {
            arrays[t] = Nd4j.create(types[t]).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
            gradient.setGradientFor(keys[t], arrays[t]);
        }
        net.getUpdater().preApply(net.getLayer(layer), gradient, 0);
        java.util.List<float[]> out = new java.util.ArrayList<>();
        for (INDArray a : arrays) {
            out.add(a.dup('c').data().asFloat());
        }
        return out;
    }

    @Test
    void shouldStartFromDl4jsInitialWeights() {
        TrainingSettings s = new TrainingSettings(Variant.STACKED, 12, 1, 20, 20, 5, 0.01, 42, 1.0, 0);
        float[] first = ours(Dl4jModels.newNetwork(s), s).flatten();
        assertArrayEquals(first, ours(Dl4jModels.newNetwork(s), s).flatten(), "DL4J's initialisation is a function of the seed");
        assertArrayEquals(first, JavaTrainer.initialParameters(s).flatten());
        TrainingSettings other = new TrainingSettings(Variant.STACKED, 12, 1, 20, 20, 5, 0.01, 43, 1.0, 0);
        assertTrue(!java.util.Arrays.equals(first, JavaTrainer.initialParameters(other).flatten()), "another seed, other weights");
    }
}
