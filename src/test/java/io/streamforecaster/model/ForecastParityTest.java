package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Our plain-Java forward pass must equal DL4J's {@code output()} on random weights and inputs. */
class ForecastParityTest {

    static Stream<Arguments> shapes() {
        return Stream.of(Variant.values()).flatMap(v -> Stream.of(Arguments.of(v, 1), Arguments.of(v, 2)));
    }

    @ParameterizedTest(name = "{0}, {1} feature(s)")
    @MethodSource("shapes")
    void shouldMatchDl4jOutputOnRandomWeightsAndInputs(Variant variant, int nFeatures) {
        int nSteps = 7;
        int units = 6;
        Random random = new Random(variant.ordinal() * 10L + nFeatures);
        TrainingSettings s = new TrainingSettings(variant, nSteps, nFeatures, units, 1, 1, 0.01, 7, 1.0, 0);
        ComputationGraph net = Dl4jModels.newNetwork(s);
        // random weights of a spread that drives ReLUs both ways and saturates some gates
        INDArray params = net.params();
        for (long i = 0; i < params.length(); i++) {
            params.putScalar(i, random.nextGaussian() * 0.6);
        }
        double[] mean = new double[nFeatures];
        double[] std = new double[nFeatures];
        java.util.Arrays.fill(std, 1.0);
        ModelSnapshot model = new ModelSnapshot(variant, nSteps, nFeatures, units, new Scaler(mean, std),
                Dl4jModels.lstmWeights(net, variant), Dl4jModels.denseWeights(net), 1, 0, 0.0, 0);

        for (int trial = 0; trial < 20; trial++) {
            double[][][] window = new double[1][nSteps][nFeatures];
            for (int t = 0; t < nSteps; t++) {
                for (int f = 0; f < nFeatures; f++) {
                    window[0][t][f] = random.nextGaussian() * 1.5;
                }
            }
            INDArray dl4j = net.outputSingle(Dl4jModels.inputs(variant, window, nSteps, nFeatures));
            double[] ours = FastForecaster.networkOutput(model, window[0]);
            for (int f = 0; f < nFeatures; f++) {
                double expected = dl4j.getDouble(0, f);
                assertEquals(expected, ours[f], 1e-4 * Math.max(1, Math.abs(expected)),
                        variant + " trial " + trial + " feature " + f);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void shouldComputeTheSigmoidWithinThreeMillionths() {
        for (float x = -40f; x <= 40f; x += 0.0007f) {
            double expected = 1.0 / (1.0 + Math.exp(-x));
            assertEquals(expected, FastForecaster.sigmoid(x), 3e-6, "sigmoid(" + x + ")");
        }
        assertEquals(0.5f, FastForecaster.sigmoid(0f), 1e-7);
        assertTrue(Float.isNaN(FastForecaster.sigmoid(Float.NaN)));
    }
}
