package io.streamforecaster.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Moves parameters between a DL4J graph and our own {@link ModelSnapshot} layout. */
public final class Dl4jModels {

    private Dl4jModels() {
    }

    public static ComputationGraph newNetwork(TrainingSettings settings) {
        ComputationGraph net = new ComputationGraph(NetworkFactory.configuration(settings));
        net.init();
        return net;
    }

    public static List<LstmWeights> lstmWeights(ComputationGraph net, Variant variant) {
        List<LstmWeights> out = new ArrayList<>();
        for (String name : NetworkFactory.lstmLayerNames(variant)) {
            Layer layer = net.getLayer(name);
            INDArray w = layer.getParam("W");
            INDArray rw = layer.getParam("RW");
            int nIn = (int) w.size(0);
            int units = (int) rw.size(0);
            out.add(new LstmWeights(nIn, units, floats(w), floats(rw), floats(layer.getParam("b"))));
        }
        return out;
    }

    public static DenseWeights denseWeights(ComputationGraph net) {
        Layer layer = net.getLayer(NetworkFactory.OUTPUT);
        INDArray w = layer.getParam("W");
        return new DenseWeights((int) w.size(0), (int) w.size(1), floats(w), floats(layer.getParam("b")));
    }

    /** Loads a snapshot's weights into a network of the same shape (warm start, parity tests). */
    public static void load(ComputationGraph net, ModelSnapshot model) {
        String[] names = NetworkFactory.lstmLayerNames(model.variant());
        for (int i = 0; i < names.length; i++) {
            Layer layer = net.getLayer(names[i]);
            LstmWeights l = model.lstms().get(i);
            assign(layer.getParam("W"), l.inputWeights());
            assign(layer.getParam("RW"), l.recurrentWeights());
            assign(layer.getParam("b"), l.bias());
        }
        Layer out = net.getLayer(NetworkFactory.OUTPUT);
        assign(out.getParam("W"), model.dense().weights());
        assign(out.getParam("b"), model.dense().bias());
    }

    /**
     * The network's inputs for scaled windows: the recurrent input, and for the bidirectional
     * variant the same windows reversed in time as its second input.
     */
    public static INDArray[] inputs(Variant variant, double[][][] windows, int nSteps, int nFeatures) {
        INDArray forward = recurrentInput(windows, nSteps, nFeatures);
        if (variant != Variant.BIDIRECTIONAL) {
            return new INDArray[] {forward};
        }
        double[][][] reversed = new double[windows.length][][];
        for (int i = 0; i < windows.length; i++) {
            reversed[i] = new double[nSteps][];
            for (int t = 0; t < nSteps; t++) {
                reversed[i][t] = windows[i][nSteps - 1 - t];
            }
        }
        return new INDArray[] {forward, recurrentInput(reversed, nSteps, nFeatures)};
    }

    /** Scaled windows {@code [n][nSteps][nFeatures]} as DL4J's recurrent input {@code [n, nFeatures, nSteps]}. */
    public static INDArray recurrentInput(double[][][] windows, int nSteps, int nFeatures) {
        float[] data = new float[windows.length * nFeatures * nSteps];
        int k = 0;
        for (double[][] w : windows) {
            for (int f = 0; f < nFeatures; f++) {
                for (int t = 0; t < nSteps; t++) {
                    data[k++] = (float) w[t][f];
                }
            }
        }
        return Nd4j.create(data, new long[] {windows.length, nFeatures, nSteps}, 'c');
    }

    private static void assign(INDArray param, float[] values) {
        param.assign(Nd4j.create(values, param.shape(), 'c'));
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
