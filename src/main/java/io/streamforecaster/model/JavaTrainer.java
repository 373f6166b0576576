package io.streamforecaster.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Java training engine: full-batch epochs of forward and backward passes
 * ({@link NetworkGradient}), DL4J's per-parameter-type gradient clipping ({@link GradientClipping})
 * and Adam ({@link Adam}). The same steps as DL4J's {@code ComputationGraph.fit} under
 * {@link NetworkFactory}'s configuration, without its per-operation overhead.
 *
 * <p>A first model starts from the weights DL4J's own initialisation gives the configuration
 * (XAVIER_UNIFORM from the configured seed, forget-gate bias 1), so both engines start from the
 * same point and the Java engine's models are DL4J's up to float rounding. Those weights depend
 * only on the network's shape and seed: DL4J builds them once per shape and they are kept.
 */
final class JavaTrainer {

    private record Shape(Variant variant, int nSteps, int nFeatures, int units, long seed) {
    }

    private static final Map<Shape, NetworkParameters> INITIAL = new ConcurrentHashMap<>();

    private JavaTrainer() {
    }

    /**
     * @param x scaled windows {@code [n][nSteps][nFeatures]}
     * @param targets {@code [n][nFeatures]}
     * @param warmStart the weights to start from, or null for DL4J's initial weights
     */
    static Trainer.Fit fit(TrainingSettings s, double[][][] x, float[][] targets, ModelSnapshot warmStart, int epochs) {
        NetworkParameters params = warmStart != null ? NetworkParameters.of(warmStart) : initialParameters(s).copy();
        TrainingBatch batch = TrainingBatch.of(x, targets);
        NetworkGradient network = NetworkGradient.of(s);
        NetworkParameters grad = params.zerosLike();
        Adam adam = new Adam(params, s.learningRate());
        for (int e = 0; e < epochs; e++) {
            Trainer.stopIfInterrupted();
            network.compute(params, batch, grad);
            GradientClipping.clipPerParamType(grad, s.gradientClip());
            adam.step(params, grad);
        }
        double loss = network.compute(params, batch, null);
        return new Trainer.Fit(params.lstms(), params.dense(), loss);
    }

    /** Whether {@link #initialParameters} has built this configuration's weights already. */
    static boolean prepared(TrainingSettings s) {
        return INITIAL.containsKey(new Shape(s.variant(), s.nSteps(), s.nFeatures(), s.units(), s.seed()));
    }

    /** DL4J's initial weights for this configuration; not a copy. */
    static NetworkParameters initialParameters(TrainingSettings s) {
        return INITIAL.computeIfAbsent(new Shape(s.variant(), s.nSteps(), s.nFeatures(), s.units(), s.seed()), k -> {
            var net = Dl4jModels.newNetwork(s);
            return NetworkParameters.of(s.variant(), s.nFeatures(), s.units(), Dl4jModels.lstmWeights(net, s.variant()),
                    Dl4jModels.denseWeights(net));
        });
    }
}
